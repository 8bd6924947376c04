import type { DB } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

export interface OutboxStatus {
  pending: number;
  published: number;
  dead: number;
  /** Dead events an operator skipped: never sent, kept as a record. */
  skipped: number;
  /** Age of the oldest pending event, 0 when none is pending. */
  oldestPendingAgeMs: number;
}

/**
 * Counts by delivery state and the age of the oldest pending event, of one
 * tenant or (without one) of all. Read only.
 */
export async function outboxStatus(db: Kysely<DB>, tenantId?: string): Promise<OutboxStatus> {
  const tenant = tenantId ?? null;
  // One pass over the tenant's events, each figure an aggregate of it.
  const { rows } = await sql<OutboxStatus>`
    SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
           count(*) FILTER (WHERE status = 'published')::int AS published,
           count(*) FILTER (WHERE status = 'dead')::int AS dead,
           count(*) FILTER (WHERE status = 'skipped')::int AS skipped,
           coalesce(floor(extract(epoch FROM now() - min(occurred_at) FILTER (WHERE status = 'pending'))
                          * 1000)::bigint, 0) AS "oldestPendingAgeMs"
      FROM outbox
     WHERE ${tenant}::text IS NULL OR tenant_id = ${tenant}
  `.execute(db);
  const [status] = rows;
  if (!status) throw new Error('status query returned no row');
  return status;
}

/** Only the age of the oldest pending event (cheap: it reads pending rows only), 0 when none. */
export async function oldestPendingAgeMs(db: Kysely<DB>): Promise<number> {
  const { rows } = await sql<{ age: number }>`
    SELECT coalesce(floor(extract(epoch FROM now() - min(occurred_at)) * 1000)::bigint, 0) AS age
      FROM outbox WHERE status = 'pending'
  `.execute(db);
  return rows[0]?.age ?? 0;
}
