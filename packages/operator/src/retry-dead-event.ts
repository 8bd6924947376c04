import { newId } from '@auditflow/core';
import type { DB } from '@auditflow/db';
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
export async function retryDeadEvent(
  db: Kysely<DB>,
  request: RetryRequest,
): Promise<RecordedAction | null> {
  const { rows } = await sql<RecordedAction>`
    SELECT id, tenant_id AS "tenantId", at
      FROM retry_dead_event(${newId()}::uuid, ${request.tenantId}::text, ${request.eventId}::uuid,
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
): Promise<'pending' | 'published' | 'dead' | null> {
  const row = await db
    .selectFrom('outbox')
    .select('status')
    .where('id', '=', eventId)
    .$if(tenantId !== null, (q) => q.where('tenant_id', '=', tenantId as string))
    .executeTakeFirst();
  return row?.status ?? null;
}
