import {
  type EventBridgeEndpoint,
  localEventBridgeClient,
  startEventBridgeEndpoint,
} from '@auditflow/local';
import { createRelay, type RelayOptions } from '@auditflow/relay';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { TestDatabase } from './database';

export const BUS = 'auditflow-test';

/** A local EventBridge endpoint for the test file, reset before each test. */
export function useEventBridgeEndpoint(): () => EventBridgeEndpoint {
  let endpoint: EventBridgeEndpoint | undefined;
  beforeAll(async () => {
    endpoint = await startEventBridgeEndpoint();
  });
  beforeEach(() => endpoint?.reset());
  afterAll(async () => {
    await endpoint?.close();
  });
  return () => {
    if (!endpoint) throw new Error('endpoint not started');
    return endpoint;
  };
}

/** A relay over the test database and endpoint, with the real SDK client. */
export function relayFor(
  database: TestDatabase,
  endpoint: EventBridgeEndpoint,
  options: Partial<RelayOptions> & { requestTimeoutMs?: number } = {},
) {
  return createRelay({
    db: database.relayDb(),
    client: localEventBridgeClient(endpoint.url, options.requestTimeoutMs),
    busName: BUS,
    retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
}

/** Event ids the endpoint accepted, with how often each was accepted. */
export function acceptedCounts(endpoint: EventBridgeEndpoint): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of endpoint.accepted) {
    const id = (event.detail as { id: string }).id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

export async function outboxStatusCounts(database: TestDatabase, tenantId: string) {
  const { rows } = await database.sql(
    `SELECT status, count(*)::int AS n FROM outbox WHERE tenant_id = $1 GROUP BY status`,
    [tenantId],
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n])) as Record<string, number>;
}
