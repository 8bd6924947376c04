import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  approveEwaRequest,
  approvePayrollRun,
  createEwaRequest,
  createPayrollRun,
  disburseEwaRequest,
  markPayrollRunPaid,
  submitPayrollRun,
} from '@auditflow/domain';
import { subscriptions } from '@auditflow/functions';
import { createDelivery } from '@auditflow/local';
import { recordDeadLetter } from '@auditflow/subscriber';
import type { CommandContext } from '@auditflow/write-unit';
import { describe, expect, it } from 'vitest';
import { anEwaRequest, aPayrollRun } from '../support/api';
import { useTestDatabase } from '../support/database';
import { outboxRows } from '../support/events';
import { injectFault } from '../support/faults';

const database = useTestDatabase();
const ROOT = path.resolve(import.meta.dirname, '../..');
const SUBSCRIBER = 'settle-ewa-on-run-paid';

/** `npm run outbox -- subscriber-dlq …` with no queue configured: the local dead letters. */
function dlqCli(...args: string[]) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('SUBSCRIBER_DLQ_URL_')) delete env[name];
  const result = spawnSync(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    ['packages/local/src/bin/outbox.ts', 'subscriber-dlq', ...args],
    {
      cwd: ROOT,
      env: {
        ...env,
        DATABASE_URL: database.roleUrl('operator'),
        SUBSCRIBER_DATABASE_URL: database.roleUrl('api'),
      },
      encoding: 'utf8',
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A disbursed advance and its paid run, the run's event not yet delivered. */
async function advanceAndPaidRun(tenantId: string) {
  const as = (actor: string): CommandContext => ({
    tenantId,
    actor,
    correlationId: `${tenantId}-c`,
  });
  const db = database.db();
  const ewa = (await createEwaRequest(db, as('alice'), anEwaRequest)).state;
  await approveEwaRequest(db, as('bob'), { id: ewa.id });
  await disburseEwaRequest(db, as('bob'), { id: ewa.id });
  const run = (await createPayrollRun(db, as('alice'), aPayrollRun)).state;
  await submitPayrollRun(db, as('alice'), { id: run.id });
  await approvePayrollRun(db, as('bob'), { id: run.id });
  await markPayrollRunPaid(db, as('bob'), { id: run.id });
  const [paid] = await outboxRows(database, tenantId, 'payroll.run_paid.v1');
  if (!paid) throw new Error('no run_paid event');
  return { ewaId: ewa.id, paid };
}

/** Delivers the event as the local bus does, three attempts, into the dead letters when all fail. */
async function deliverLocally(paid: Awaited<ReturnType<typeof advanceAndPaidRun>>['paid']) {
  const delivery = createDelivery({
    subscriptions: subscriptions.filter((subscription) => subscription.name === SUBSCRIBER),
    root: ROOT,
    db: database.db(),
    retryDelayMs: 10,
  });
  delivery.deliver([
    {
      eventId: crypto.randomUUID(),
      receivedAt: Date.now(),
      source: 'auditflow.payroll',
      detailType: paid.event_type,
      detail: {
        id: paid.id,
        type: paid.event_type,
        tenantId: paid.tenant_id,
        aggregate: {
          type: paid.aggregate_type,
          id: paid.aggregate_id,
          version: paid.aggregate_version,
        },
        occurredAt: paid.occurred_at,
        correlationId: paid.correlation_id,
        causationId: paid.causation_id,
        actor: paid.actor,
        data: paid.payload,
      },
      eventBusName: 'auditflow-test',
      time: paid.occurred_at,
    },
  ]);
  await delivery.idle();
}

const ewaStatus = async (id: string) =>
  (await database.sql('SELECT status FROM ewa_requests WHERE id = $1', [id])).rows[0]?.status;
const letters = async () =>
  (
    await database.sql(
      'SELECT id, event_id, redriven_at IS NOT NULL AS redriven FROM subscriber_dead_letters WHERE subscriber = $1 ORDER BY id',
      [SUBSCRIBER],
    )
  ).rows;

describe('subscriber-dlq on the local dead letters', () => {
  it('redelivers a dead letter through the subscriber handler and marks it only once that succeeded', async () => {
    const tenantId = 'dlq-local-1';
    const { ewaId, paid } = await advanceAndPaidRun(tenantId);
    const removeFault = await injectFault(database, 'state_transitions:insert', tenantId);
    let faulty = true;
    try {
      await deliverLocally(paid);
      // Something no redrive can read: it is listed and stays.
      await recordDeadLetter(database.db(), {
        subscriber: SUBSCRIBER,
        event: 'garbage',
        reason: 'test',
      });

      const listed = dlqCli('list', '--subscriber', SUBSCRIBER);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(
        new RegExp(
          `payroll\\.run_paid\\.v1  ${paid.id}  delivery failed after 3 attempts: .*injected fault`,
        ),
      );
      expect(listed.stdout).toMatch(
        /unreadable {2}neither an EventBridge event nor a Lambda failure record/,
      );
      expect(listed.stdout).toMatch(
        /^2 dead letter\(s\) in local dead letters of settle-ewa-on-run-paid$/m,
      );

      const stillFailing = dlqCli('redrive', '--subscriber', SUBSCRIBER);
      expect(stillFailing.code).toBe(1);
      expect(stillFailing.stdout).toMatch(
        /failed, left in place {2}payroll\.run_paid\.v1 .*injected fault/,
      );
      expect(await ewaStatus(ewaId)).toBe('DISBURSED');
      expect((await letters()).map((letter) => letter.redriven)).toEqual([false, false]);

      await removeFault();
      faulty = false;
      const redriven = dlqCli('redrive', '--subscriber', SUBSCRIBER, '--json');
      expect(redriven.code).toBe(1);
      expect(JSON.parse(redriven.stdout)).toEqual([
        expect.objectContaining({ status: 'redriven', outcome: 'processed', eventId: paid.id }),
        expect.objectContaining({ status: 'unreadable' }),
      ]);
      expect(await ewaStatus(ewaId)).toBe('SETTLED');
      expect((await letters()).map((letter) => letter.redriven)).toEqual([true, false]);

      // Marked, it is not offered again; what was left is.
      const again = dlqCli('redrive', '--subscriber', SUBSCRIBER, '--json');
      expect(JSON.parse(again.stdout)).toEqual([expect.objectContaining({ status: 'unreadable' })]);
    } finally {
      if (faulty) await removeFault();
      await database.sql('DELETE FROM subscriber_dead_letters WHERE event = \'"garbage"\'');
    }
  });

  it('redrives an event kept twice once, and marks both its letters', async () => {
    const tenantId = 'dlq-local-2';
    const { ewaId, paid } = await advanceAndPaidRun(tenantId);
    const removeFault = await injectFault(database, 'state_transitions:insert', tenantId);
    try {
      await deliverLocally(paid);
      await deliverLocally(paid);
    } finally {
      await removeFault();
    }
    const redriven = dlqCli('redrive', '--subscriber', SUBSCRIBER, '--json');
    expect(redriven.code).toBe(0);
    expect(JSON.parse(redriven.stdout)).toEqual([
      expect.objectContaining({ status: 'redriven', outcome: 'processed', eventId: paid.id }),
    ]);
    expect(await ewaStatus(ewaId)).toBe('SETTLED');
    const mine = (await letters()).filter((letter) => letter.event_id === paid.id);
    expect(mine.map((letter) => letter.redriven)).toEqual([true, true]);
  });

  it('refuses an unknown subscriber or action with exit code 2, naming the subscribers', () => {
    const unknown = dlqCli('list', '--subscriber', 'nobody');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('one of: settle-ewa-on-run-paid, dashboard-projection');
    expect(dlqCli('purge', '--subscriber', SUBSCRIBER).code).toBe(2);
  });
});
