import type { DB } from '@auditflow/db';
import type { Kysely } from 'kysely';

/** One version of an aggregate: its transition and the audit row written with it. */
export interface HistoryItem {
  version: number;
  command: string;
  fromStatus: string | null;
  toStatus: string;
  actor: string;
  occurredAt: string;
  correlationId: string;
  eventId: string;
  audit: {
    id: string;
    action: string;
    actor: string;
    before: unknown;
    after: unknown;
    occurredAt: string;
    correlationId: string;
    causationId: string | null;
  };
}

/**
 * The transitions of one aggregate with their audit rows, oldest first. Read
 * only; the caller checks first that the aggregate is the tenant's, and runs
 * it in a transaction of that tenant (row-level security).
 */
export async function readHistory(
  db: Kysely<DB>,
  tenantId: string,
  aggregateType: string,
  aggregateId: string,
): Promise<HistoryItem[]> {
  const rows = await db
    .selectFrom('state_transitions as t')
    // The audit row of the same tenant only, whatever a transition points at.
    .innerJoin('audit_log as a', (join) =>
      join.onRef('a.id', '=', 't.audit_id').onRef('a.tenant_id', '=', 't.tenant_id'),
    )
    .select([
      't.version',
      't.command',
      't.from_status',
      't.to_status',
      't.actor',
      't.occurred_at',
      't.correlation_id',
      't.outbox_id',
      'a.id as audit_id',
      'a.action',
      'a.actor as audit_actor',
      'a.before',
      'a.after',
      'a.occurred_at as audit_occurred_at',
      'a.correlation_id as audit_correlation_id',
      'a.causation_id',
    ])
    .where('t.tenant_id', '=', tenantId)
    .where('t.aggregate_type', '=', aggregateType)
    .where('t.aggregate_id', '=', aggregateId)
    .orderBy('t.version', 'asc')
    .execute();
  return rows.map((row) => ({
    version: row.version,
    command: row.command,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    actor: row.actor,
    occurredAt: row.occurred_at,
    correlationId: row.correlation_id,
    eventId: row.outbox_id,
    audit: {
      id: row.audit_id,
      action: row.action,
      actor: row.audit_actor,
      before: row.before,
      after: row.after,
      occurredAt: row.audit_occurred_at,
      correlationId: row.audit_correlation_id,
      causationId: row.causation_id,
    },
  }));
}
