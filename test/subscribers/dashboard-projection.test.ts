import {
  approveEwaRequest,
  approvePayrollRun,
  cancelPayrollRun,
  createEwaRequest,
  createPayrollRun,
  declineEwaRequest,
  disburseEwaRequest,
  markPayrollRunPaid,
  rejectPayrollRun,
  submitPayrollRun,
} from '@auditflow/domain';
import { lambdaContext } from '@auditflow/local';
import type { CommandContext } from '@auditflow/write-unit';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/subscribers/dashboard-projection';
import { anEwaRequest, aPayrollRun, call } from '../support/api';
import { useTestDatabase } from '../support/database';
import { outboxRows, targetEventFor } from '../support/events';

const database = useTestDatabase();

/** Counts and amounts by status straight from the source tables: what the dashboard must converge to. */
async function fromSourceTables(tenantId: string) {
  const section = async (table: string, amount: string) => {
    const { rows } = await database.sql(
      `SELECT status, currency, count(*)::int AS n, sum(${amount})::bigint AS total FROM ${table}
        WHERE tenant_id = $1 GROUP BY status, currency`,
      [tenantId],
    );
    const result: Record<string, { count: number; amountMinor: Record<string, number> }> = {};
    for (const row of rows) {
      const totals = result[row.status] ?? { count: 0, amountMinor: {} };
      totals.count += row.n;
      totals.amountMinor[row.currency] =
        (totals.amountMinor[row.currency] ?? 0) + Number(row.total);
      result[row.status] = totals;
    }
    return result;
  };
  return {
    payrollRuns: await section('payroll_runs', 'gross_total_minor'),
    ewaRequests: await section('ewa_requests', 'amount_minor'),
  };
}

async function busyTenant(tenantId: string) {
  const db = database.db();
  const as = (actor: string): CommandContext => ({ tenantId, actor, correlationId: 'dash' });
  const [alice, bob] = [as('alice'), as('bob')];
  const runs = [];
  for (let i = 0; i < 5; i++) {
    runs.push(
      (await createPayrollRun(db, alice, { ...aPayrollRun, grossTotalMinor: 1000 * (i + 1) })).state
        .id,
    );
  }
  const [paid, approved, rejected, cancelled] = runs as [string, string, string, string, string];
  for (const id of [paid, approved, rejected]) await submitPayrollRun(db, alice, { id });
  await approvePayrollRun(db, bob, { id: paid });
  await markPayrollRunPaid(db, bob, { id: paid });
  await approvePayrollRun(db, bob, { id: approved });
  await rejectPayrollRun(db, bob, { id: rejected }, { reason: 'wrong totals' });
  await cancelPayrollRun(db, alice, { id: cancelled }, {});
  const requests = [];
  for (const currency of ['EUR', 'EUR', 'USD']) {
    requests.push((await createEwaRequest(db, alice, { ...anEwaRequest, currency })).state.id);
  }
  const [disbursed, declined] = requests as [string, string, string];
  await approveEwaRequest(db, bob, { id: disbursed });
  await disburseEwaRequest(db, bob, { id: disbursed });
  await declineEwaRequest(db, bob, { id: declined }, { reason: 'over the limit' });
}

function shuffle<T>(items: T[], seed: number): T[] {
  const result = [...items];
  let state = seed;
  for (let i = result.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

describe('the dashboard projection', () => {
  it('converges to the source tables whatever the order and duplication of deliveries', async () => {
    const tenantId = 'dashboard-1';
    await busyTenant(tenantId);
    const events = (await outboxRows(database, tenantId)).map(targetEventFor);
    const deliveries = shuffle([...events, ...events, ...events.slice(0, 5)], 42);
    for (const event of deliveries) {
      expect(['processed', 'duplicate']).toContain(
        await handler(event, lambdaContext('dashboard')),
      );
    }
    const dashboard = await call('GET', '/dashboard', { as: { tenant: tenantId, sub: 'alice' } });
    expect(dashboard.status).toBe(200);
    expect(dashboard.body).toEqual(await fromSourceTables(tenantId));
  });

  it('converges even when a later version arrives before the creation that carries the amount', async () => {
    const tenantId = 'dashboard-2';
    await busyTenant(tenantId);
    const events = (await outboxRows(database, tenantId)).map(targetEventFor).reverse();
    for (const event of events) await handler(event, lambdaContext('dashboard'));
    const dashboard = await call('GET', '/dashboard', { as: { tenant: tenantId, sub: 'alice' } });
    expect(dashboard.body).toEqual(await fromSourceTables(tenantId));
  });

  it("shows a tenant nothing of another tenant's totals", async () => {
    const dashboard = await call('GET', '/dashboard', {
      as: { tenant: 'dashboard-nobody', sub: 'eve' },
    });
    expect(dashboard.body).toEqual({ payrollRuns: {}, ewaRequests: {} });
  });

  it("refuses another tenant's forged event for an aggregate, even at version 99", async () => {
    const tenantId = 'dashboard-victim';
    await busyTenant(tenantId);
    for (const event of (await outboxRows(database, tenantId)).map(targetEventFor)) {
      await handler(event, lambdaContext('dashboard'));
    }
    const before = await call('GET', '/dashboard', { as: { tenant: tenantId, sub: 'alice' } });
    const [created] = await outboxRows(database, tenantId, 'payroll.run_created.v1');
    if (!created) throw new Error('no run_created event');
    const genuine = targetEventFor(created);
    const detail = genuine.detail as { aggregate: { version: number } };
    for (const forged of [
      { tenantId: 'dashboard-attacker', aggregate: { ...detail.aggregate, version: 99 } },
      { tenantId, aggregate: { ...detail.aggregate, version: 99 } },
    ]) {
      const event = { ...genuine, detail: { ...detail, id: crypto.randomUUID(), ...forged } };
      expect(await handler(event, lambdaContext('dashboard'))).toBe('processed');
    }
    const after = await call('GET', '/dashboard', { as: { tenant: tenantId, sub: 'alice' } });
    expect(after.body).toEqual(before.body);
    expect(after.body).toEqual(await fromSourceTables(tenantId));
    const { rows } = await database.sql(
      `SELECT count(*)::int AS n FROM dashboard_aggregates WHERE tenant_id = 'dashboard-attacker'`,
    );
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('sums amounts beyond 2^53 exactly', async () => {
    const tenantId = 'dashboard-big';
    const db = database.db();
    const ctx: CommandContext = { tenantId, actor: 'alice', correlationId: 'big' };
    const big = Number.MAX_SAFE_INTEGER; // 9007199254740991
    for (let i = 0; i < 2; i++) {
      await createPayrollRun(db, ctx, { ...aPayrollRun, grossTotalMinor: big });
    }
    for (const event of (await outboxRows(database, tenantId)).map(targetEventFor)) {
      await handler(event, lambdaContext('dashboard'));
    }
    const dashboard = await call('GET', '/dashboard', { as: { tenant: tenantId, sub: 'alice' } });
    expect(dashboard.body.payrollRuns.DRAFT).toEqual({
      count: 2,
      amountMinor: { EUR: '18014398509481982' },
    });
  });
});
