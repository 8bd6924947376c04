import { createDb, type OutboxRow } from '@auditflow/db';
import { localEventBridgeClient } from '@auditflow/local';
import { toEntry } from '@auditflow/relay';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { createLimiter } from '../packages/relay/src/limiter';
import type { BenchDatabase } from './database';
import type { RemoteEndpoint } from './endpoint';

export interface BareSdkOptions {
  latencyMs: number;
  /** SDK clients, one per relay, as separate relays have. */
  clients: number;
  /** Requests in flight per client. */
  concurrency: number;
  /** Requests per client. */
  requests: number;
}

/**
 * Ten PutEvents entries built from real outbox rows, exactly as the relay
 * builds them: the request the relay sends most often.
 */
export async function sampleRequest(
  database: BenchDatabase,
  busName: string,
): Promise<PutEventsRequestEntry[]> {
  const db = createDb({ target: { connectionString: database.url }, max: 1 });
  try {
    const rows = (await db.selectFrom('outbox').selectAll().limit(10).execute()) as OutboxRow[];
    if (rows.length < 10) throw new Error('sampleRequest needs 10 outbox rows');
    return rows.map((row) => toEntry(row, { app: 'auditflow', busName }));
  } finally {
    await db.destroy();
  }
}

/**
 * The ceiling the SDK and the endpoint set, with no database: the same
 * request sent by `clients` SDK clients in this process with `concurrency`
 * requests in flight each. What a relay reaches is read against it.
 */
export async function measureBareSdk(
  endpoint: RemoteEndpoint,
  entries: PutEventsRequestEntry[],
  options: BareSdkOptions,
): Promise<{ eventsPerSecond: number }> {
  await endpoint.configure(options.latencyMs);
  const clients = Array.from({ length: options.clients }, () =>
    localEventBridgeClient(endpoint.url),
  );
  try {
    const started = performance.now();
    await Promise.all(
      clients.map((client) => {
        const slot = createLimiter(options.concurrency);
        return Promise.all(
          Array.from({ length: options.requests }, () =>
            slot(() => client.send(new PutEventsCommand({ Entries: entries }))),
          ),
        );
      }),
    );
    const elapsedMs = performance.now() - started;
    return {
      eventsPerSecond: (options.clients * options.requests * entries.length * 1000) / elapsedMs,
    };
  } finally {
    for (const client of clients) client.destroy();
  }
}
