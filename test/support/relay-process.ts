/**
 * A relay in a process of its own, so a test can kill it with SIGKILL at any
 * moment. Reads DATABASE_URL, EVENTBRIDGE_ENDPOINT and RELAY_LEASE_MS.
 */
import { createDb } from '@auditflow/db';
import { localEventBridgeClient } from '@auditflow/local';
import { createRelay } from '@auditflow/relay';

const relay = createRelay({
  db: createDb({ max: 2 }),
  client: localEventBridgeClient(process.env.EVENTBRIDGE_ENDPOINT ?? ''),
  busName: 'auditflow-test',
  batchSize: 50,
  // One pass, so at most one claim (50 rows) is in flight when the process is killed.
  parallelPasses: 1,
  leaseMs: Number(process.env.RELAY_LEASE_MS ?? 500),
});
console.log('relay started');
await relay.drain({ until: Date.now() + 60_000, whenIdle: 'wait' });
