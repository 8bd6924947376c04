import type { OutboxRow } from '@auditflow/db';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** What subscribers receive as `detail`; they dedupe on `id`. */
export interface EventEnvelope {
  id: string;
  type: string;
  tenantId: string;
  aggregate: { type: string; id: string; version: number };
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  actor: string;
  data: unknown;
}

/** EventBridge's limit on one PutEvents request, and so on one entry. */
export const MAX_REQUEST_BYTES = 256 * 1024;
export const MAX_ENTRIES_PER_REQUEST = 10;

export function toEnvelope(row: OutboxRow): EventEnvelope {
  return {
    id: row.id,
    type: row.event_type,
    tenantId: row.tenant_id,
    aggregate: { type: row.aggregate_type, id: row.aggregate_id, version: row.aggregate_version },
    occurredAt: row.occurred_at,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    actor: row.actor,
    data: row.payload,
  };
}

/**
 * The PutEvents entry of an outbox row: Source `<app>.<context>` (the
 * context is the event type's first segment), DetailType the versioned event
 * type, Detail the envelope.
 */
export function toEntry(
  row: OutboxRow,
  options: { app: string; busName: string },
): PutEventsRequestEntry {
  const context = row.event_type.split('.')[0] ?? 'unknown';
  return {
    EventBusName: options.busName,
    Source: `${options.app}.${context}`,
    DetailType: row.event_type,
    Detail: JSON.stringify(toEnvelope(row)),
    Time: new Date(row.occurred_at),
  };
}

/** How EventBridge sizes an entry against the 256 KB limit. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => (text ? Buffer.byteLength(text, 'utf8') : 0);
  const resources = (entry.Resources ?? []).reduce((sum, resource) => sum + bytes(resource), 0);
  return 14 + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + resources;
}
