import { setTimeout as sleep } from 'node:timers/promises';
import { sealAuditChain } from '@auditflow/audit';
import { createDb, type DB } from '@auditflow/db';
import { createPayrollRun } from '@auditflow/domain';
import { lambdaContext } from '@auditflow/local';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aPayrollRun } from '../support/api';
import { useTestDatabase } from '../support/database';
import { BUS, outboxStatusCounts, useEventBridgeEndpoint } from '../support/relay';
import {
  coldRelayHandler,
  listenConnections,
  scheduledEvent,
  useTestEnv,
} from '../support/relay-lambda';
import { waitFor } from '../support/wait';

const database = useTestDatabase();
const endpoint = useEventBridgeEndpoint();
const setEnv = useTestEnv();

beforeAll(() => {
  // The relay Lambda connects as the relay's role, as deployed.
  process.env.DATABASE_URL = database.roleUrl('relay');
  process.env.EVENT_BUS_NAME = BUS;
  process.env.EVENTBRIDGE_ENDPOINT = endpoint().url;
  process.env.RELAY_SAFETY_MARGIN_MS = '300';
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
});

/**
 * Polls a minute apart, far beyond any invocation here: whatever the relay
 * picks up after its first passes, a notification woke it for.
 */
const NO_POLLING = { RELAY_MIN_POLL_MS: '60000', RELAY_MAX_POLL_MS: '60000' };

// The writes as the API's role; DATABASE_URL names the relay's, for the handler.
let apiDb: Kysely<DB> | undefined;
afterAll(() => apiDb?.destroy());

/** One event committed through the write unit, whose outbox insert notifies at commit. */
const commitEvent = (tenantId: string) => {
  apiDb ??= createDb({ target: { connectionString: database.roleUrl('api') }, max: 2 });
  return createPayrollRun(
    apiDb,
    { tenantId, actor: 'alice', correlationId: tenantId },
    aPayrollRun,
  );
};

const published = (tenantId: string) => async () =>
  (await outboxStatusCounts(database, tenantId)).published === 1;

// Each invocation seals the audit chain first: the history of earlier tests
// is sealed and its checkpoints sent here beforehand, so an invocation's
// count is its own test's events.
beforeEach(async () => {
  await sealAuditChain(database.relayDb());
  await database.sql(
    `UPDATE outbox SET status = 'published', published_at = now()
      WHERE event_type = 'audit.checkpoint.v1' AND status = 'pending'`,
  );
});

const listening = async () => (await listenConnections(database)).some((c) => c.listening);

describe('the relay Lambda listening for commits', () => {
  it('picks up an event committed while idle without waiting for the poll', async () => {
    const tenantId = 'listen-idle';
    setEnv(NO_POLLING);
    const handler = await coldRelayHandler();
    const invocation = handler(scheduledEvent, lambdaContext('auditflow-relay', 8_000));
    await waitFor('the relay to listen', listening);
    await commitEvent(`${tenantId}-1`);
    await waitFor('the first event to be accepted', published(`${tenantId}-1`), {
      timeoutMs: 7_000,
    });
    // Committed once the relay went back to waiting, a minute before its next poll.
    await sleep(200);
    await commitEvent(`${tenantId}-2`);
    await waitFor('the second event to be accepted', published(`${tenantId}-2`), {
      timeoutMs: 7_000,
    });
    expect(await invocation).toMatchObject({ published: 2, dead: 0 });
  });

  it('opens one LISTEN connection per invocation and closes it before returning', async () => {
    setEnv({ RELAY_MAX_POLL_MS: '200' });
    const handler = await coldRelayHandler();
    for (let round = 0; round < 2; round++) {
      const invocation = handler(scheduledEvent, lambdaContext('auditflow-relay', 1_500));
      await waitFor('the relay to listen', listening);
      expect(await listenConnections(database)).toHaveLength(1);
      await invocation;
      // A frozen execution environment holds no session until the next invocation.
      expect(await listenConnections(database)).toEqual([]);
    }
  });

  it('delivers by polling when its LISTEN connection cannot connect', async () => {
    const tenantId = 'listen-unreachable';
    // Nothing listens on port 1: the connection is refused at once, every time.
    setEnv({ RELAY_LISTEN_HOST: '127.0.0.1:1', RELAY_MAX_POLL_MS: '200' });
    const handler = await coldRelayHandler();
    const invocation = handler(scheduledEvent, lambdaContext('auditflow-relay', 3_000));
    await sleep(300);
    for (const n of [1, 2, 3]) await commitEvent(`${tenantId}-${n}`);
    await waitFor(
      'the events to be accepted',
      async () =>
        (await Promise.all([1, 2, 3].map((n) => published(`${tenantId}-${n}`)()))).every(Boolean),
      { timeoutMs: 2_500 },
    );
    expect(await invocation).toMatchObject({ published: 3, dead: 0 });
    expect(await listenConnections(database)).toEqual([]);
  });

  it('listens again after its LISTEN connection dies mid-invocation and delivers what committed meanwhile', async () => {
    const tenantId = 'listen-killed';
    setEnv(NO_POLLING);
    const handler = await coldRelayHandler();
    const invocation = handler(scheduledEvent, lambdaContext('auditflow-relay', 8_000));
    await waitFor('the relay to listen', listening);
    const [first] = await listenConnections(database);
    await database.sql('SELECT pg_terminate_backend($1)', [first?.pid]);
    // Committed while nobody listens: the reconnect's nudge finds it.
    await commitEvent(`${tenantId}-1`);
    await waitFor('the event committed while deaf', published(`${tenantId}-1`), {
      timeoutMs: 5_000,
    });
    const [second] = await listenConnections(database);
    expect(second?.pid).not.toBe(first?.pid);
    await sleep(200);
    await commitEvent(`${tenantId}-2`);
    await waitFor('the event after the reconnect', published(`${tenantId}-2`), {
      timeoutMs: 5_000,
    });
    expect(await invocation).toMatchObject({ published: 2, dead: 0 });
    expect(await listenConnections(database)).toEqual([]);
  });
});
