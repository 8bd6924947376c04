import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateKey, signDevToken, startLocalStack } from '@auditflow/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aPayrollRun } from '../support/api';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();
const ROOT = path.resolve(import.meta.dirname, '../..');
let dataDir: string;
let stack: Awaited<ReturnType<typeof startLocalStack>>;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-stack-'));
  stack = await startLocalStack({
    dataDir,
    root: ROOT,
    apiPort: 0,
    databasePort: 0,
    eventBridgePort: 0,
    databaseUrl: database.url(),
  });
});
afterAll(async () => {
  await stack.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function post(pathname: string, token: string, body?: unknown) {
  const response = await fetch(`${stack.apiUrl}${pathname}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as { id: string } };
}

async function waitForEvent(type: string, aggregateId: string, timeoutMs: number) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const event = stack.eventBridge.accepted.find(
      (accepted) =>
        accepted.detailType === type &&
        (accepted.detail as { aggregate: { id: string } }).aggregate.id === aggregateId,
    );
    if (event) return event;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return undefined;
}

describe('the local stack', () => {
  it('delivers an approval made through the API to the EventBridge endpoint within a second', async () => {
    const key = await loadOrCreateKey(dataDir);
    const alice = await signDevToken(key, { tenant: 'stack', sub: 'alice' });
    const bob = await signDevToken(key, { tenant: 'stack', sub: 'bob' });
    const run = (await post('/payroll-runs', alice, aPayrollRun)).body;
    expect((await post(`/payroll-runs/${run.id}/submit`, alice)).status).toBe(200);

    const approvedAt = Date.now();
    expect((await post(`/payroll-runs/${run.id}/approve`, bob)).status).toBe(200);
    const event = await waitForEvent('payroll.run_approved.v1', run.id, 1_000);
    expect(event, 'accepted within a second').toBeDefined();
    expect((event?.receivedAt ?? Number.POSITIVE_INFINITY) - approvedAt).toBeLessThan(1_000);

    // Accepted, then marked published a moment later (after PutEvents returns).
    for (let i = 0; i < 100; i++) {
      const { rows } = await database.sql(
        "SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'",
      );
      if (rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const status = spawnSync(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['packages/local/src/bin/outbox.ts', 'status', '--json'],
      {
        cwd: ROOT,
        env: { ...process.env, AUDITFLOW_DATA_DIR: dataDir, DATABASE_URL: '' },
        encoding: 'utf8',
      },
    );
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout.trim())).toMatchObject({ pending: 0, dead: 0 });
  });

  it('publishes events committed by another process too, woken by the database notification', async () => {
    const { seedPayrollRuns } = await import('../support/seed');
    await seedPayrollRuns(database, { tenantId: 'stack-other-process', runs: 3 });
    const { rows } = await database.sql(
      "SELECT aggregate_id FROM outbox WHERE tenant_id = 'stack-other-process'",
    );
    for (const row of rows) {
      expect(await waitForEvent('payroll.run_seeded.v1', row.aggregate_id, 1_000)).toBeDefined();
    }
  });
});
