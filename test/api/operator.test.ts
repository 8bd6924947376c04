import { SCOPES } from '@auditflow/functions';
import { lambdaContext } from '@auditflow/local';
import { describe, expect, it } from 'vitest';
import { handler as settle } from '../../functions/subscribers/settle-ewa-on-run-paid';
import { anEwaRequest, aPayrollRun, type Caller, call } from '../support/api';
import { useTestDatabase } from '../support/database';
import { outboxRows, targetEventFor } from '../support/events';
import { relayFor, useEventBridgeEndpoint } from '../support/relay';
import { seedPayrollRuns } from '../support/seed';

const database = useTestDatabase();
const endpoint = useEventBridgeEndpoint();
let counter = 0;

function team() {
  const tenant = `operator-${++counter}`;
  return {
    tenant,
    alice: { tenant, sub: 'alice' },
    bob: { tenant, sub: 'bob' },
    operator: { tenant, sub: 'olga', scopes: [SCOPES.operator] } satisfies Caller,
  };
}

/** A paid November run and an advance of the same period that its payment settled. */
async function paidRunWithSettledAdvance() {
  const t = team();
  const advance = await call('POST', '/ewa-requests', { as: t.alice, body: anEwaRequest });
  await call('POST', `/ewa-requests/${advance.body.id}/approve`, { as: t.bob });
  await call('POST', `/ewa-requests/${advance.body.id}/disburse`, { as: t.bob });
  const run = await call('POST', '/payroll-runs', {
    as: t.alice,
    body: aPayrollRun,
    headers: { 'x-correlation-id': `pay-${t.tenant}` },
  });
  await call('POST', `/payroll-runs/${run.body.id}/submit`, { as: t.alice });
  await call('POST', `/payroll-runs/${run.body.id}/approve`, { as: t.bob });
  await call('POST', `/payroll-runs/${run.body.id}/mark-paid`, { as: t.bob });
  const [paid] = await outboxRows(database, t.tenant, 'payroll.run_paid.v1');
  if (!paid) throw new Error('no run_paid event');
  await settle(targetEventFor(paid), lambdaContext('settle'));
  await relayFor(database, endpoint()).drain({ until: Date.now() + 30_000 });
  return { ...t, runId: run.body.id as string, advanceId: advance.body.id as string, paid };
}

const timeline = (as: Caller, query: string) => call('GET', `/operator/timeline?${query}`, { as });

describe('the operator timeline', () => {
  it('tells a settled advance from request to settlement: every version, its audit diff, its delivery and its cause', async () => {
    const story = await paidRunWithSettledAdvance();
    const response = await timeline(story.operator, `entity=${story.advanceId}`);
    expect(response.status).toBe(200);
    const [advance] = response.body.entities;
    expect(response.body.entities).toHaveLength(1);
    expect(advance.versions.map((v: { command: string }) => v.command)).toEqual([
      'create',
      'approve',
      'disburse',
      'settle',
    ]);
    const settled = advance.versions[3];
    expect(settled).toMatchObject({
      fromStatus: 'DISBURSED',
      toStatus: 'SETTLED',
      actor: 'subscriber:settle-ewa-on-run-paid',
      audit: {
        action: 'EwaRequestSettled',
        before: expect.objectContaining({ status: 'DISBURSED' }),
        after: expect.objectContaining({ status: 'SETTLED', settled_by_run_id: story.runId }),
      },
      event: { type: 'ewa.request_settled.v1', status: 'published', attempts: 1 },
    });
    expect(advance.versions[2].audit.before).toMatchObject({ status: 'APPROVED' });
  });

  it("shows the run's paid event received by the settling subscriber, and the settlement it caused", async () => {
    const story = await paidRunWithSettledAdvance();
    const response = await timeline(story.operator, `event=${story.paid.id}`);
    const [run] = response.body.entities;
    expect(run).toMatchObject({ aggregateType: 'payroll_run', aggregateId: story.runId });
    const paid = run.versions.at(-1);
    expect(paid.event).toMatchObject({ id: story.paid.id, status: 'published' });
    expect(paid.receipts).toEqual([
      { subscriber: 'settle-ewa-on-run-paid', processedAt: expect.any(String) },
    ]);
    expect(paid.caused).toEqual([
      {
        aggregateType: 'ewa_request',
        aggregateId: story.advanceId,
        version: 4,
        command: 'settle',
      },
    ]);
  });

  it('finds every entity one request touched by its correlation id', async () => {
    const story = await paidRunWithSettledAdvance();
    const response = await timeline(story.operator, `correlation=pay-${story.tenant}`);
    expect(response.body.entities.map((e: { aggregateId: string }) => e.aggregateId)).toEqual([
      story.runId,
    ]);
    // The whole story of each entity found, not only the versions of that request.
    const versions = response.body.entities[0].versions;
    expect(versions.map((v: { correlationId: string }) => v.correlationId)[0]).toBe(
      `pay-${story.tenant}`,
    );
    expect(versions).toHaveLength(4);
  });

  it("shows an operator nothing of another tenant's entities", async () => {
    const story = await paidRunWithSettledAdvance();
    const stranger = team().operator;
    for (const query of [`entity=${story.advanceId}`, `event=${story.paid.id}`]) {
      const response = await timeline(stranger, query);
      expect(response).toMatchObject({ status: 200, body: { entities: [] } });
    }
  });

  it.each([
    ['no selector', ''],
    ['two selectors', 'entity=0190f2a4-0000-7000-8000-000000000000&correlation=x'],
    ['an entity that is not a UUID', 'entity=1%20OR%201=1'],
    ['an unknown parameter', 'since=yesterday'],
  ])('refuses %s with 400 validation_failed', async (_, query) => {
    const response = await timeline(team().operator, query);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
  });

  it('needs the operator scope: a business token gets 403', async () => {
    const response = await timeline(team().alice, 'entity=0190f2a4-0000-7000-8000-000000000000');
    expect(response.status).toBe(403);
  });
});

describe('the operator outbox view', () => {
  it("counts only the operator's own tenant's events", async () => {
    const story = await paidRunWithSettledAdvance();
    const mine = await call('GET', '/operator/outbox', { as: story.operator });
    // Three of the advance, four of the run, one of the settlement.
    expect(mine.body).toEqual({
      pending: 0,
      published: 8,
      dead: 0,
      skipped: 0,
      oldestPendingAgeMs: 0,
    });
    const theirs = await call('GET', '/operator/outbox', { as: team().operator });
    expect(theirs.body).toEqual({
      pending: 0,
      published: 0,
      dead: 0,
      skipped: 0,
      oldestPendingAgeMs: 0,
    });
  });

  it('answers the counts, the throughput and the dead events in one overview, as the three routes do', async () => {
    const t = team();
    await seedPayrollRuns(database, { tenantId: t.tenant, runs: 3 });
    endpoint().faults.entryError = () => 'InvalidArgument';
    await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
    endpoint().reset();
    await paidRunWithSettledAdvance(); // another tenant's events, which no answer may count

    const window = 'bucketSeconds=300&buckets=12';
    const overview = await call('GET', `/operator/outbox/overview?${window}&limit=2`, {
      as: t.operator,
    });
    expect(overview.status).toBe(200);
    const status = await call('GET', '/operator/outbox', { as: t.operator });
    const flow = await call('GET', `/operator/throughput?${window}`, { as: t.operator });
    const dead = await call('GET', '/operator/dead-events?limit=2', { as: t.operator });
    expect(overview.body.status).toEqual(status.body);
    expect(overview.body.status).toMatchObject({ pending: 0, published: 0, dead: 3 });
    expect(overview.body.throughput).toEqual(flow.body);
    expect(overview.body.throughput.buckets).toHaveLength(12);
    expect(overview.body.deadEvents).toEqual(dead.body.events);
    expect(overview.body.deadEvents).toHaveLength(2);
    expect(overview.body.deadEvents[0].reason).toMatch(/InvalidArgument/);
  });

  it.each([
    ['buckets=0', 'query.buckets'],
    ['buckets=241', 'query.buckets'],
    ['bucketSeconds=abc', 'query.bucketSeconds'],
    ['limit=101', 'query.limit'],
    ['limit=1.5', 'query.limit'],
    ['since=yesterday', 'query.since'],
  ])('refuses an overview asked with %s: 400 naming %s', async (query, path) => {
    const response = await call('GET', `/operator/outbox/overview?${query}`, {
      as: team().operator,
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
  });
});

describe('the operator reconciliation view', () => {
  it("balances the tenant's transitions, audit rows and events per event type, and shows no other tenant", async () => {
    const story = await paidRunWithSettledAdvance();
    await paidRunWithSettledAdvance();
    const response = await call('GET', '/operator/reconcile', { as: story.operator });
    expect(response.status).toBe(200);
    expect(response.body.mismatches).toEqual([]);
    expect(new Set(response.body.rows.map((row: { tenantId: string }) => row.tenantId))).toEqual(
      new Set([story.tenant]),
    );
    expect(response.body.rows).toContainEqual({
      tenantId: story.tenant,
      eventType: 'ewa.request_settled.v1',
      transitions: 1,
      audits: 1,
      events: 1,
    });
  });
});
