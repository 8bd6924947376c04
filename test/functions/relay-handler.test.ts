import { lambdaContext } from '@auditflow/local';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import { BUS, outboxStatusCounts, useEventBridgeEndpoint } from '../support/relay';
import { scheduledEvent } from '../support/relay-lambda';
import { seedPayrollRuns } from '../support/seed';

const database = useTestDatabase();
const endpoint = useEventBridgeEndpoint();

beforeAll(() => {
  // The relay Lambda connects as the relay's role, as deployed.
  process.env.DATABASE_URL = database.roleUrl('relay');
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
    // The 50 events, and the checkpoint of the chain its housekeeping sealed first.
    expect(result).toMatchObject({ published: 51, dead: 0 });
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: 51 });
    // It keeps polling for new work until its deadline minus the margin, then returns.
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('forgets idempotency keys older than their window when the schedule fires', async () => {
    const tenantId = 'relay-lambda-keys';
    await database.sql(
      `INSERT INTO idempotency_keys (tenant_id, key, fingerprint, aggregate_type, created_at)
       VALUES ($1, 'old', 'f', 'payroll_run', now() - interval '8 days'),
              ($1, 'new', 'f', 'payroll_run', now() - interval '6 days')`,
      [tenantId],
    );
    const { handler } = await import('../../functions/relay/handler');
    await handler(scheduledEvent, lambdaContext('auditflow-relay', 1_000));
    const { rows } = await database.sql('SELECT key FROM idempotency_keys WHERE tenant_id = $1', [
      tenantId,
    ]);
    expect(rows).toEqual([{ key: 'new' }]);
  });

  it('seals the audit chain when the schedule fires, and its checkpoint leaves in the same drain', async () => {
    const tenantId = 'relay-lambda-chain';
    await seedPayrollRuns(database, { tenantId, runs: 3 });
    const { handler } = await import('../../functions/relay/handler');
    await handler(scheduledEvent, lambdaContext('auditflow-relay', 1_000));
    const { rows } = await database.sql(
      `SELECT (SELECT count(*)::int FROM audit_chain WHERE tenant_id = $1) AS entries,
              (SELECT status FROM outbox WHERE tenant_id = $1 AND event_type = 'audit.checkpoint.v1') AS checkpoint`,
      [tenantId],
    );
    expect(rows).toEqual([{ entries: 9, checkpoint: 'published' }]);
  });
});
