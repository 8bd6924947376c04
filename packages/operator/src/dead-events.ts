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

/**
 * Gives dead events a fresh start: pending, due now, attempts reset. With
 * `ids`, only those (that are dead); without, every dead event. Returns how
 * many were revived. Idempotent. Runs through retry_dead_events(), the
 * operator role's only way to change delivery state besides a replay.
 */
export async function retryDeadEvents(db: Kysely<DB>, ids?: string[]): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM retry_dead_events(${ids ?? null}::uuid[]) AS id
  `.execute(db);
  return rows.length;
}

/**
 * Publishes again the events that occurred in [from, to), optionally of one
 * type: published and dead ones go back to pending (subscribers dedupe on the
 * event id). Returns how many were queued. Runs through replay_events().
 */
export async function replayEvents(
  db: Kysely<DB>,
  range: { from: string; to: string; eventType?: string | undefined },
): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM replay_events(${range.from}::timestamptz, ${range.to}::timestamptz,
                                 ${range.eventType ?? null}::text) AS id
  `.execute(db);
  return rows.length;
}
