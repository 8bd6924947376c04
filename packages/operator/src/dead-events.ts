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

/** Dead events, oldest first, with the reason each was given up on. Read only. */
export async function listDeadEvents(db: Kysely<DB>, limit = 100): Promise<DeadEvent[]> {
  const { rows } = await sql<DeadEvent>`
    SELECT id, tenant_id AS "tenantId", event_type AS "eventType",
           aggregate_type || '/' || aggregate_id || ' v' || aggregate_version AS aggregate,
           attempts, occurred_at AS "occurredAt", correlation_id AS "correlationId",
           last_error AS reason
      FROM outbox WHERE status = 'dead' ORDER BY id LIMIT ${limit}
  `.execute(db);
  return rows;
}

/**
 * Gives dead events a fresh start: pending, due now, attempts reset. With
 * `ids`, only those (that are dead); without, every dead event. Returns how
 * many were revived. Idempotent.
 */
export async function retryDeadEvents(db: Kysely<DB>, ids?: string[]): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    UPDATE outbox
       SET status = 'pending', attempts = 0, next_attempt_at = now(),
           claimed_by = NULL, claimed_until = NULL
     WHERE status = 'dead' ${ids ? sql`AND id = ANY(${ids}::uuid[])` : sql``}
    RETURNING id
  `.execute(db);
  await sql`SELECT pg_notify('outbox_pending', '')`.execute(db);
  return rows.length;
}

/**
 * Publishes again the events that occurred in [from, to), optionally of one
 * type: published and dead ones go back to pending (subscribers dedupe on the
 * event id). Returns how many were queued.
 */
export async function replayEvents(
  db: Kysely<DB>,
  range: { from: string; to: string; eventType?: string | undefined },
): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    UPDATE outbox
       SET status = 'pending', attempts = 0, next_attempt_at = now(), published_at = NULL,
           claimed_by = NULL, claimed_until = NULL
     WHERE status IN ('published', 'dead')
       AND occurred_at >= ${range.from} AND occurred_at < ${range.to}
       ${range.eventType ? sql`AND event_type = ${range.eventType}` : sql``}
    RETURNING id
  `.execute(db);
  await sql`SELECT pg_notify('outbox_pending', '')`.execute(db);
  return rows.length;
}
