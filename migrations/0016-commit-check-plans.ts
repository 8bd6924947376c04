import { type Kysely, sql } from 'kysely';

/**
 * The commit-time history check looks up a row version's audit row, event
 * and transition by each table's unique key, and that must stay one index
 * probe however the table's statistics look.
 *
 * Run as the writing role, each lookup also carried the row-level security
 * policy, `tenant_id = current_setting('auditflow.tenant_id', true)`. When
 * the statistics were taken while a tenant had few or no rows (a new tenant,
 * or one that grew since the last ANALYZE), the planner judged that policy
 * the most selective condition and probed outbox by (tenant_id, occurred_at)
 * instead of the unique key: every write then read all of its tenant's
 * outbox rows, and writes slowed as the tenant's history grew (measured:
 * 18 ms for one lookup at 9,000 rows, and the write path at a third of its
 * speed without row-level security).
 *
 * As the owner, whose policies on these three tables let it read every row,
 * the lookups carry no policy and keep the unique key's plan. The function
 * only reads, its search_path is fixed, it cannot be called but as a
 * trigger, and it still compares each row's tenant and transaction with the
 * changed row's, so seeing other tenants' rows can only make it refuse.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER FUNCTION require_audited_change() SECURITY DEFINER`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER FUNCTION require_audited_change() SECURITY INVOKER`.execute(db);
}
