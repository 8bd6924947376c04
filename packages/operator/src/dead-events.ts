import type { DB } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

export interface DeadEvent {
  id: string;
  tenantId: string;
  eventType: string;
  aggregate: string;
  attempts: number;
  occurredAt: string;
  correlationId: string;
  reason: string | null;
}

/**
 * Dead events, oldest first, with the reason each was given up on, of one
 * tenant or (without one) of all. Read only; walks the dead-only index.
 */
export async function listDeadEvents(
  db: Kysely<DB>,
  limit = 100,
  tenantId?: string,
): Promise<DeadEvent[]> {
  const tenant = tenantId ?? null;
  const { rows } = await sql<DeadEvent>`
    SELECT id, tenant_id AS "tenantId", event_type AS "eventType",
           aggregate_type || '/' || aggregate_id || ' v' || aggregate_version AS aggregate,
           attempts, occurred_at AS "occurredAt", correlation_id AS "correlationId",
           last_error AS reason
      FROM outbox WHERE status = 'dead' AND (${tenant}::text IS NULL OR tenant_id = ${tenant})
     ORDER BY id LIMIT ${limit}
  `.execute(db);
  return rows;
}
