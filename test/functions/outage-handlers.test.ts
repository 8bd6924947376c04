import {
  approveEwaRequest,
  approvePayrollRun,
  createEwaRequest,
  createPayrollRun,
  disburseEwaRequest,
  markPayrollRunPaid,
  submitPayrollRun,
} from '@auditflow/domain';
import { lambdaContext } from '@auditflow/local';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as settleEwaOnRunPaid } from '../../functions/subscribers/settle-ewa-on-run-paid';
import { anEwaRequest, aPayrollRun } from '../support/api';
import { outboxRows, targetEventFor } from '../support/events';
import { useKillableDatabase } from '../support/killable-database';
import { BUS, outboxStatusCounts, useEventBridgeEndpoint } from '../support/relay';
import {
  coldRelayHandler,
  listenConnections,
  scheduledEvent,
  useTestEnv,
} from '../support/relay-lambda';
import { seedPayrollRuns } from '../support/seed';
import { waitFor } from '../support/wait';

const database = useKillableDatabase();
const endpoint = useEventBridgeEndpoint();
const setEnv = useTestEnv();

beforeAll(() => {
  process.env.EVENT_BUS_NAME = BUS;
  process.env.EVENTBRIDGE_ENDPOINT = endpoint().url;
  process.env.RELAY_SAFETY_MARGIN_MS = '300';
  // The deployed relay gets credentials from its role; the local endpoint ignores them.
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
});

async function subscriberRows() {
  const { rows } = await database.sql(
    `SELECT (SELECT count(*)::int FROM inbox) AS inbox,
            (SELECT count(*)::int FROM subscriber_dead_letters) AS dead_letters,
            (SELECT count(*)::int FROM ewa_requests WHERE status = 'SETTLED') AS settled`,
  );
  return rows[0];
}

describe('Lambda handlers while Postgres is down', () => {
  it('fails the relay invocation before its deadline, and the next invocation after Postgres returns publishes everything', async () => {
    const tenantId = 'relay-lambda-outage';
    await seedPayrollRuns(database, { tenantId, runs: 30 });
    // The relay Lambda connects as the relay's role, as deployed; it opens its
    // pool on the first invocation, so the API's role comes back right after.
    const apiUrl = process.env.DATABASE_URL;
    process.env.DATABASE_URL = database.roleUrl('relay');
    const { handler } = await import('../../functions/relay/handler');
    await database.kill();

    const started = Date.now();
    await expect(
      handler(scheduledEvent, lambdaContext('auditflow-relay', 1_500)),
    ).rejects.toThrow();
    // It waited for the database until its deadline (minus the margin), not beyond.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(endpoint().accepted).toHaveLength(0);

    await database.restart();
    const result = await handler(scheduledEvent, lambdaContext('auditflow-relay', 3_000));
    // The 30 events, and the checkpoint of the audit chain its housekeeping sealed first.
    expect(result).toMatchObject({ published: 31, dead: 0 });
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: 31 });
    process.env.DATABASE_URL = apiUrl;
  });

  it('keeps delivering when Postgres is killed and restarted mid-invocation, its LISTEN connection failing without an unhandled error', async () => {
    // Vitest fails the file on any unhandled error or rejection: a pg error
    // event nobody listened to would end a Lambda's process the same way.
    setEnv({ DATABASE_URL: database.roleUrl('relay'), RELAY_MAX_POLL_MS: '200' });
    const handler = await coldRelayHandler();
    const invocation = handler(scheduledEvent, lambdaContext('auditflow-relay', 12_000));
    await waitFor('the relay to listen', async () =>
      (await listenConnections(database)).some((c) => c.listening),
    );
    await database.kill();
    await database.restart();
    const tenantId = 'relay-lambda-listen-outage';
    await seedPayrollRuns(database, { tenantId, runs: 5 });
    await waitFor(
      'the events committed after the restart to be accepted',
      async () => (await outboxStatusCounts(database, tenantId)).published === 5,
      { timeoutMs: 10_000 },
    );
    expect(await invocation).toMatchObject({ published: 5, dead: 0 });
    expect(await listenConnections(database)).toEqual([]);
  });

  it('makes a subscriber throw, recording nothing (no inbox row, no dead letter, no effect), and the redelivery after Postgres returns applies it once', async () => {
    const db = database.db();
    const as = (actor: string) => ({ tenantId: 'subscriber-outage', actor, correlationId: 'c' });
    const ewa = await createEwaRequest(db, as('alice'), anEwaRequest);
    await approveEwaRequest(db, as('bob'), { id: ewa.state.id });
    await disburseEwaRequest(db, as('bob'), { id: ewa.state.id });
    const run = await createPayrollRun(db, as('alice'), aPayrollRun);
    await submitPayrollRun(db, as('alice'), { id: run.state.id });
    await approvePayrollRun(db, as('bob'), { id: run.state.id });
    await markPayrollRunPaid(db, as('bob'), { id: run.state.id });
    const [paid] = await outboxRows(database, 'subscriber-outage', 'payroll.run_paid.v1');
    if (!paid) throw new Error('no run_paid event');
    const event = targetEventFor(paid);
    const malformed = {
      ...event,
      detail: { ...(event.detail as Record<string, unknown>), data: { nonsense: true } },
    };
    const before = await subscriberRows();

    await database.kill();
    const context = lambdaContext('settle-ewa-on-run-paid');
    await expect(settleEwaOnRunPaid(event, context)).rejects.toThrow();
    // Even an event it would dead-letter is retried rather than lost: there is nowhere to keep it.
    await expect(settleEwaOnRunPaid(malformed, context)).rejects.toThrow();

    await database.restart();
    expect(await subscriberRows()).toEqual(before);
    expect(await settleEwaOnRunPaid(event, lambdaContext('settle-ewa-on-run-paid'))).toBe(
      'processed',
    );
    expect(await settleEwaOnRunPaid(event, lambdaContext('settle-ewa-on-run-paid'))).toBe(
      'duplicate',
    );
    expect(await subscriberRows()).toEqual({
      inbox: before.inbox + 1,
      dead_letters: before.dead_letters,
      settled: before.settled + 1,
    });
  });
});
