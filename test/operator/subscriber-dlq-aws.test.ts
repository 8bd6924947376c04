import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
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
import type { CommandContext } from '@auditflow/write-unit';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/subscribers/settle-ewa-on-run-paid';
import { anEwaRequest, aPayrollRun } from '../support/api';
import { startFakeAws } from '../support/aws-endpoint';
import { useTestDatabase } from '../support/database';
import { outboxRows, targetEventFor } from '../support/events';
import { injectFault } from '../support/faults';

const database = useTestDatabase();
const ROOT = path.resolve(import.meta.dirname, '../..');
const FUNCTION = 'auditflow-test-BusSettleEwaOnRunPaidFunction';

/** `npm run outbox -- subscriber-dlq …` pointed at AWS (here, the fake), without any database. */
async function dlqCli(url: string, args: string[], overrides: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_ENDPOINT_URL_SQS: url,
    AWS_ENDPOINT_URL_LAMBDA: url,
    SUBSCRIBER_DLQ_URL_SETTLE_EWA_ON_RUN_PAID: `${url}/111122223333/auditflow-test-SettleEwaOnRunPaidDlq`,
    SUBSCRIBER_FUNCTION_SETTLE_EWA_ON_RUN_PAID: FUNCTION,
    ...overrides,
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      [
        'packages/local/src/bin/outbox.ts',
        'subscriber-dlq',
        ...args,
        '--subscriber',
        'settle-ewa-on-run-paid',
      ],
      { cwd: ROOT, env },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

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
  return { ewaId: ewa.id, event: targetEventFor(paid) };
}

/** Lambda's on-failure record of an event whose invocations all failed. */
const failureRecord = (event: unknown) =>
  JSON.stringify({
    version: '1.0',
    timestamp: '2026-11-30T09:03:12.117Z',
    requestContext: {
      requestId: crypto.randomUUID(),
      functionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${FUNCTION}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: 'Connection terminated unexpectedly' },
  });

const ewaStatus = async (id: string) =>
  (await database.sql('SELECT status FROM ewa_requests WHERE id = $1', [id])).rows[0]?.status;

describe('subscriber-dlq against SQS and Lambda', () => {
  it('invokes the subscriber with each event and deletes only the messages it delivered', async () => {
    const settled = await advanceAndPaidRun('dlq-aws-1');
    const broken = await advanceAndPaidRun('dlq-aws-2');
    const removeFault = await injectFault(database, 'state_transitions:insert', 'dlq-aws-2');
    const aws = await startFakeAws({
      messages: [
        { body: failureRecord(settled.event) },
        // The same event again, as EventBridge's own message: the receipt makes it a duplicate.
        {
          body: JSON.stringify(settled.event),
          attributes: { ERROR_CODE: 'SDK_CLIENT_ERROR', ERROR_MESSAGE: 'Rate Exceeded.' },
        },
        { body: failureRecord(broken.event) },
        { body: '{"Records":[]}' },
      ],
      // The function, as Lambda runs it: the real handler, its throw an Unhandled function error.
      async invoke(_name, payload) {
        try {
          return { payload: await handler(payload as never, lambdaContext('settle')) };
        } catch (error) {
          return {
            functionError: 'Unhandled',
            payload: { errorType: 'Error', errorMessage: (error as Error).message },
          };
        }
      },
    });
    try {
      const listed = await dlqCli(aws.url, ['list']);
      expect(listed.stderr).toBe('');
      expect(listed.stdout).toMatch(
        /RetriesExhausted after 3 invocation\(s\): Error: Connection terminated/,
      );
      expect(listed.stdout).toMatch(/SDK_CLIENT_ERROR: Rate Exceeded\./);
      expect(listed.stdout).toMatch(
        /^4 dead letter\(s\) in http:\/\/127\.0\.0\.1:\d+\/111122223333\//m,
      );
      expect(aws.invocations).toEqual([]);
      expect(aws.remaining()).toHaveLength(4);

      aws.reveal();
      const redrive = await dlqCli(aws.url, ['redrive', '--json']);
      expect(redrive.code).toBe(1);
      expect(JSON.parse(redrive.stdout)).toEqual([
        expect.objectContaining({ id: 'message-1', status: 'redriven', outcome: 'processed' }),
        expect.objectContaining({ id: 'message-2', status: 'redriven', outcome: 'duplicate' }),
        expect.objectContaining({
          id: 'message-3',
          status: 'failed',
          reason: expect.stringContaining('Unhandled error: injected fault'),
        }),
        expect.objectContaining({ id: 'message-4', status: 'unreadable' }),
      ]);
      expect(aws.invocations.map((call) => [call.functionName, call.type])).toEqual(
        Array(3).fill([FUNCTION, 'RequestResponse']),
      );
      expect(aws.invocations[0]?.payload).toEqual(settled.event);
      expect(aws.remaining()).toEqual(['message-3', 'message-4']);
      expect(await ewaStatus(settled.ewaId)).toBe('SETTLED');
      expect(await ewaStatus(broken.ewaId)).toBe('DISBURSED');

      await removeFault();
      aws.reveal();
      const retried = await dlqCli(aws.url, ['redrive']);
      expect(retried.stdout).toMatch(/redriven 1, failed 0 \(left in place\), unreadable 1/);
      expect(aws.remaining()).toEqual(['message-4']);
      expect(await ewaStatus(broken.ewaId)).toBe('SETTLED');
    } finally {
      await removeFault().catch(() => {});
      await aws.close();
    }
  });

  it('refuses to redrive without the function to invoke, and deletes nothing', async () => {
    const aws = await startFakeAws({
      messages: [{ body: '{}' }],
      invoke: async () => ({ payload: null }),
    });
    try {
      const refused = await dlqCli(aws.url, ['redrive'], {
        SUBSCRIBER_FUNCTION_SETTLE_EWA_ON_RUN_PAID: '',
      });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('redrive needs SUBSCRIBER_FUNCTION_SETTLE_EWA_ON_RUN_PAID');
      expect(aws.invocations).toEqual([]);
      expect(aws.remaining()).toEqual(['message-1']);
    } finally {
      await aws.close();
    }
  });
});
