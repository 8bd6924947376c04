import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadOrCreateKey, signDevToken, stackFile, startLocalStack } from '@auditflow/local';
import { replayEvents } from '@auditflow/operator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anEwaRequest, aPayrollRun } from '../support/api';
import { useTestDatabase } from '../support/database';
import { requeuedBy } from '../support/requeue';
import { TEST_ROLE_PASSWORDS } from '../support/roles';

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
    rolePasswords: TEST_ROLE_PASSWORDS,
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

async function get(pathname: string, token: string): Promise<unknown> {
  const response = await fetch(`${stack.apiUrl}${pathname}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return response.json();
}

/** Waits until nothing is pending in the outbox and every delivery has been handled. */
async function settle() {
  for (let i = 0; i < 500; i++) {
    const { rows } = await database.sql(
      "SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'",
    );
    await stack.delivery.idle();
    if (rows[0].n === 0) return;
    await sleep(10);
  }
  throw new Error('the stack did not settle');
}

/** What a replay must not change: states, history and the dashboard. */
async function snapshot(tenant: string, token: string) {
  const { rows } = await database.sql(
    `SELECT (SELECT count(*)::int FROM state_transitions WHERE tenant_id = $1) AS transitions,
            (SELECT string_agg(id || ':' || status || ':' || version, ',' ORDER BY id) FROM ewa_requests WHERE tenant_id = $1) AS requests`,
    [tenant],
  );
  return { ...rows[0], dashboard: await get('/dashboard', token) };
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
    await sleep(5);
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
      await sleep(10);
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

  it('settles the disbursed EWA requests of a paid run end to end, and a replay changes nothing', async () => {
    const key = await loadOrCreateKey(dataDir);
    const tenant = 'stack-e2e';
    const alice = await signDevToken(key, { tenant, sub: 'alice' });
    const bob = await signDevToken(key, { tenant, sub: 'bob' });
    const ewa = (await post('/ewa-requests', alice, anEwaRequest)).body;
    expect((await post(`/ewa-requests/${ewa.id}/approve`, bob)).status).toBe(200);
    expect((await post(`/ewa-requests/${ewa.id}/disburse`, bob)).status).toBe(200);
    const run = (await post('/payroll-runs', alice, aPayrollRun)).body;
    await post(`/payroll-runs/${run.id}/submit`, alice);
    await post(`/payroll-runs/${run.id}/approve`, bob);
    const paidAt = Date.now();
    expect((await post(`/payroll-runs/${run.id}/mark-paid`, bob)).status).toBe(200);

    // HTTP -> outbox -> relay -> EventBridge -> subscriber -> write unit -> outbox -> relay.
    const settled = await waitForEvent('ewa.request_settled.v1', ewa.id, 5_000);
    expect(settled, 'settlement published').toBeDefined();
    expect(Date.now() - paidAt).toBeLessThan(5_000);
    const request = await get(`/ewa-requests/${ewa.id}`, alice);
    expect(request).toMatchObject({ status: 'SETTLED', version: 4, settledByRunId: run.id });
    const history = (await get(`/ewa-requests/${ewa.id}/history`, alice)) as {
      items: { command: string; audit: { actor: string; causationId: string | null } }[];
    };
    expect(history.items.at(-1)).toMatchObject({
      command: 'settle',
      audit: { actor: 'subscriber:settle-ewa-on-run-paid', causationId: expect.any(String) },
    });

    await settle();
    const before = await snapshot(tenant, alice);
    expect(before.dashboard).toEqual({
      payrollRuns: { PAID: { count: 1, amountMinor: { EUR: aPayrollRun.grossTotalMinor } } },
      ewaRequests: { SETTLED: { count: 1, amountMinor: { EUR: anEwaRequest.amountMinor } } },
    });

    const replayed = await replayEvents(database.operatorDb(), {
      from: new Date(paidAt - 60_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
      by: requeuedBy,
    });
    expect(replayed.length).toBeGreaterThan(0);
    await settle();
    expect(await snapshot(tenant, alice)).toEqual(before);
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

describe('the stack file', () => {
  it('is readable by its owner alone and names the operator role, not the owner', async () => {
    const stat = await fs.stat(stackFile(dataDir));
    expect(stat.mode & 0o777).toBe(0o600);
    const { databaseUrl } = JSON.parse(await fs.readFile(stackFile(dataDir), 'utf8'));
    expect(new URL(databaseUrl).username).toBe('auditflow_operator');
  });
});
