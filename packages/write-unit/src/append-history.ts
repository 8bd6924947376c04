import { newId } from '@auditflow/core';
import type { DB } from '@auditflow/db';
import type { Transaction } from 'kysely';
import type { CommandContext } from './context';

/** What one version of an aggregate leaves behind besides its new state. */
export interface HistoryEntry {
  aggregateType: string;
  aggregateId: string;
  version: number;
  command: string;
  fromStatus: string | null;
  toStatus: string;
  action: string;
  before: unknown;
  after: unknown;
  eventType: string;
  eventData: unknown;
}

/**
 * Appends the audit row, the outbox event and the transition row of one
 * aggregate version. Must run in the transaction that changed the aggregate:
 * the database matches them by transaction id at commit.
 */
export async function appendHistory(
  trx: Transaction<DB>,
  ctx: CommandContext,
  entry: HistoryEntry,
): Promise<{ auditId: string; eventId: string }> {
  const auditId = newId();
  const eventId = newId();
  await trx
    .insertInto('audit_log')
    .values({
      id: auditId,
      tenant_id: ctx.tenantId,
      actor: ctx.actor,
      action: entry.action,
      entity_type: entry.aggregateType,
      entity_id: entry.aggregateId,
      entity_version: entry.version,
      before: entry.before === null ? null : JSON.stringify(entry.before),
      after: JSON.stringify(entry.after),
      correlation_id: ctx.correlationId,
      causation_id: ctx.causationId ?? null,
    })
    .execute();
  await trx
    .insertInto('outbox')
    .values({
      id: eventId,
      tenant_id: ctx.tenantId,
      aggregate_type: entry.aggregateType,
      aggregate_id: entry.aggregateId,
      aggregate_version: entry.version,
      event_type: entry.eventType,
      payload: JSON.stringify(entry.eventData),
      correlation_id: ctx.correlationId,
      causation_id: ctx.causationId ?? null,
      actor: ctx.actor,
    })
    .execute();
  await trx
    .insertInto('state_transitions')
    .values({
      id: newId(),
      tenant_id: ctx.tenantId,
      aggregate_type: entry.aggregateType,
      aggregate_id: entry.aggregateId,
      version: entry.version,
      command: entry.command,
      from_status: entry.fromStatus,
      to_status: entry.toStatus,
      actor: ctx.actor,
      correlation_id: ctx.correlationId,
      audit_id: auditId,
      outbox_id: eventId,
    })
    .execute();
  return { auditId, eventId };
}
