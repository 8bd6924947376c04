import type { DB } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

export interface OutboxStatus {
  pending: number;
  published: number;
  dead: number;
  /** Age of the oldest pending event, 0 when none is pending. */
  oldestPendingAgeMs: number;
}

/**
 * Counts by delivery state and the age of the oldest pending event, of one
 * tenant or (without one) of all. Read only.
 */
export async function outboxStatus(db: Kysely<DB>, tenantId?: string): Promise<OutboxStatus> {
  const tenant = tenantId ?? null;
  const { rows } = await sql<OutboxStatus>`
    WITH scoped AS (
      SELECT status, occurred_at FROM outbox
       WHERE ${tenant}::text IS NULL OR tenant_id = ${tenant}
    )
    SELECT
      (SELECT count(*)::int FROM scoped WHERE status = 'pending') AS pending,
      (SELECT count(*)::int FROM scoped WHERE status = 'published') AS published,
      (SELECT count(*)::int FROM scoped WHERE status = 'dead') AS dead,
      coalesce((SELECT floor(extract(epoch FROM now() - min(occurred_at)) * 1000)::bigint
                  FROM scoped WHERE status = 'pending'), 0) AS "oldestPendingAgeMs"
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
