import type { OutboxRow } from '@auditflow/db';
import type { EventBridgeTargetEvent } from '@auditflow/local';
import { toEntry } from '@auditflow/relay';
import type { TestDatabase } from './database';

/** The event EventBridge would hand a target for this outbox row, as the relay publishes it. */
export function targetEventFor(row: OutboxRow): EventBridgeTargetEvent {
  const entry = toEntry(row, { app: 'auditflow', busName: 'auditflow-test' });
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': entry.DetailType ?? '',
    source: entry.Source ?? '',
    account: '000000000000',
    time: row.occurred_at,
    region: 'us-east-1',
    resources: [],
    detail: JSON.parse(entry.Detail ?? '{}'),
  };
}

/** The tenant's outbox rows, oldest first, optionally of one event type. */
export async function outboxRows(database: TestDatabase, tenantId: string, eventType?: string) {
  const { rows } = await database.sql(
    `SELECT * FROM outbox WHERE tenant_id = $1 AND ($2::text IS NULL OR event_type = $2) ORDER BY occurred_at, aggregate_version`,
    [tenantId, eventType ?? null],
  );
  // The pg client here has default parsers; shape the row as the pool's parsers would.
  return rows.map(
    (row): OutboxRow => ({
      ...row,
      occurred_at: new Date(row.occurred_at).toISOString(),
      next_attempt_at: new Date(row.next_attempt_at).toISOString(),
      published_at: row.published_at && new Date(row.published_at).toISOString(),
      claimed_until: row.claimed_until && new Date(row.claimed_until).toISOString(),
    }),
  );
}
