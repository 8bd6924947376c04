import { lambdaContext } from '@auditflow/local';
import type { ScheduledEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import { BUS, outboxStatusCounts, useEventBridgeEndpoint } from '../support/relay';
import { seedPayrollRuns } from '../support/seed';

const database = useTestDatabase();
const endpoint = useEventBridgeEndpoint();

/** What EventBridge Scheduler sends a Lambda target. */
const scheduledEvent: ScheduledEvent = {
  version: '0',
  id: '4b7f6ed0-2f5c-4a4c-8d6e-6b0c1d6b2f11',
  'detail-type': 'Scheduled Event',
  source: 'aws.scheduler',
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: ['arn:aws:scheduler:us-east-1:000000000000:schedule/default/auditflow-relay'],
  detail: {},
};

beforeAll(() => {
  process.env.EVENT_BUS_NAME = BUS;
  process.env.EVENTBRIDGE_ENDPOINT = endpoint().url;
  process.env.RELAY_SAFETY_MARGIN_MS = '300';
  // The deployed relay gets credentials from its role; the local endpoint ignores them.
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
});

describe('the relay Lambda', () => {
  it('drains the outbox when the schedule fires and returns before its deadline', async () => {
    const tenantId = 'relay-lambda';
    await seedPayrollRuns(database, { tenantId, runs: 50 });
    const { handler } = await import('../../functions/relay/handler');
    const context = lambdaContext('auditflow-relay', 1_500);
    const started = Date.now();
    const result = await handler(scheduledEvent, context);
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ published: 50, dead: 0 });
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: 50 });
    // It keeps polling for new work until its deadline minus the margin, then returns.
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(1_500);
  });
});
