import { newId } from '@auditflow/core';
import type { DB, OutboxStatus } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

export interface RetryRequest {
  eventId: string;
  /** Only an event of this tenant; null lets any tenant's event be retried (platform scope). */
  tenantId: string | null;
  actor: string;
  reason: string;
  correlationId: string;
}

/** The operator action recorded with the revival. */
export interface RecordedAction {
  id: string;
  tenantId: string;
  at: string;
}

/**
 * Revives one dead event and records who did it and why, in one statement
 * (retry_dead_event(), migration 0010): either both happen or neither.
 * Returns null when the event is not dead (already retried, published, or not
 * the tenant's), so repeating a retry records nothing twice.
 */
export function retryDeadEvent(
  db: Kysely<DB>,
  request: RetryRequest,
): Promise<RecordedAction | null> {
  return actOnDeadEvent(db, sql`retry_dead_event`, request);
}

/**
 * Skips one dead event for good, with the action recorded, in one statement
 * (skip_dead_event(), migration 0014): it is never sent, and its aggregate's
 * later versions, held back while it was dead, go. Null when the event is
 * not dead, as for a retry.
 */
export function skipDeadEvent(
  db: Kysely<DB>,
  request: RetryRequest,
): Promise<RecordedAction | null> {
  return actOnDeadEvent(db, sql`skip_dead_event`, request);
}

/** Both actions take the same arguments and answer the same way. */
async function actOnDeadEvent(
  db: Kysely<DB>,
  action: ReturnType<typeof sql>,
  request: RetryRequest,
): Promise<RecordedAction | null> {
  const { rows } = await sql<RecordedAction>`
    SELECT id, tenant_id AS "tenantId", at
      FROM ${action}(${newId()}::uuid, ${request.tenantId}::text, ${request.eventId}::uuid,
                     ${request.actor}::text, ${request.reason}::text,
                     ${request.correlationId}::text)
  `.execute(db);
  return rows[0] ?? null;
}

/** Where an event stands now, if the tenant (any tenant for null) has it. */
export async function eventStatus(
  db: Kysely<DB>,
  eventId: string,
  tenantId: string | null,
): Promise<OutboxStatus | null> {
  const row = await db
    .selectFrom('outbox')
    .select('status')
    .where('id', '=', eventId)
    .$if(tenantId !== null, (q) => q.where('tenant_id', '=', tenantId as string))
    .executeTakeFirst();
  return row?.status ?? null;
}
