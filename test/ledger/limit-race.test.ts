import { approveEwaRequest, createEwaRequest } from '@auditflow/domain';
import { describe, expect, it } from 'vitest';
import { anEwaRequest, call } from '../support/api';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();
let counter = 0;

/** `n` approved requests of one employee, each of `amountMinor`, in a tenant of its own. */
async function approvedRequests(n: number, amountMinor: number, employeeId = 'emp-race') {
  const tenantId = `limit-${++counter}`;
  const ctx = (actor: string) => ({ tenantId, actor, correlationId: `race-${counter}` });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { state } = await createEwaRequest(database.db(), ctx('alice'), {
      ...anEwaRequest,
      employeeId,
      amountMinor,
    });
    await approveEwaRequest(database.db(), ctx('bob'), { id: state.id });
    ids.push(state.id);
  }
  return { tenantId, ids };
}

const disburse = (tenantId: string, id: string) =>
  call('POST', `/ewa-requests/${id}/disburse`, { as: { tenant: tenantId, sub: 'bob' } });

async function outstanding(tenantId: string, employeeId = 'emp-race') {
  const response = await call('GET', `/ledger/employees/${employeeId}/outstanding`, {
    as: { tenant: tenantId, sub: 'bob' },
  });
  return response.body;
}

describe("an employee's outstanding advances never exceed the tenant's limit", () => {
  it('of 20 concurrent disbursements exactly those that fit commit; the rest are 409 limit_exceeded and write nothing', async () => {
    const { tenantId, ids } = await approvedRequests(20, 10_000);
    // The tenant's own limit, set by the owner, before the default.
    await database.sql(
      `INSERT INTO ledger_limits (tenant_id, account_class, currency, max_balance_minor)
       VALUES ($1, 'ewa-receivable', 'EUR', 50000)`,
      [tenantId],
    );
    const responses = await Promise.all(ids.map((id) => disburse(tenantId, id)));

    const committed = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status !== 200);
    expect(committed).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const response of refused) {
      expect(response.status).toBe(409);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ code: 'limit_exceeded', status: 409 });
      expect(response.body.detail).toContain('ewa-receivable:emp-race');
    }

    const { rows: statuses } = await database.sql(
      `SELECT status, count(*)::int AS n FROM ewa_requests WHERE tenant_id = $1 GROUP BY status ORDER BY status`,
      [tenantId],
    );
    expect(statuses).toEqual([
      { status: 'APPROVED', n: 15 },
      { status: 'DISBURSED', n: 5 },
    ]);
    // Nothing of a refused disbursement was written: one event, audit row and entry per committed one.
    const { rows: counts } = await database.sql(
      `SELECT (SELECT count(*)::int FROM outbox WHERE tenant_id = $1 AND event_type = 'ewa.request_disbursed.v1') AS events,
              (SELECT count(*)::int FROM audit_log WHERE tenant_id = $1 AND action = 'EwaRequestDisbursed') AS audits,
              (SELECT count(*)::int FROM ledger_entries WHERE tenant_id = $1) AS entries`,
      [tenantId],
    );
    expect(counts[0]).toEqual({ events: 5, audits: 5, entries: 5 });
    expect(await outstanding(tenantId)).toMatchObject({
      outstanding: [
        { currency: 'EUR', outstandingMinor: 50_000, limitMinor: 50_000, availableMinor: 0 },
      ],
    });
  });

  it('applies the default limit to a tenant without its own, and frees it as advances settle', async () => {
    const { tenantId, ids } = await approvedRequests(3, 40_000, 'emp-default');
    const [first, second, third] = ids as [string, string, string];
    expect((await disburse(tenantId, first)).status).toBe(200);
    expect((await disburse(tenantId, second)).status).toBe(200);
    const over = await disburse(tenantId, third);
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('limit_exceeded');
    expect(await outstanding(tenantId, 'emp-default')).toMatchObject({
      outstanding: [
        { currency: 'EUR', outstandingMinor: 80_000, limitMinor: 100_000, availableMinor: 20_000 },
      ],
      defaultLimitMinor: 100_000,
    });
  });

  it("serialises only the one employee: another employee's disbursements are not held back", async () => {
    const a = await approvedRequests(1, 100_000, 'emp-a');
    // A second employee of the same tenant, under the same limit, disburses in full too.
    const ctx = (actor: string) => ({ tenantId: a.tenantId, actor, correlationId: 'other' });
    const { state } = await createEwaRequest(database.db(), ctx('alice'), {
      ...anEwaRequest,
      employeeId: 'emp-b',
      amountMinor: 100_000,
    });
    await approveEwaRequest(database.db(), ctx('bob'), { id: state.id });
    const [one, two] = await Promise.all([
      disburse(a.tenantId, a.ids[0] as string),
      disburse(a.tenantId, state.id),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
  });

  it("leaves no account behind when an employee's first advance is refused, and the next one opens it", async () => {
    const { tenantId, ids } = await approvedRequests(1, 150_000, 'emp-first');
    const refused = await disburse(tenantId, ids[0] as string);
    expect(refused.status).toBe(409);
    const { rows } = await database.sql(
      'SELECT count(*)::int AS n FROM ledger_accounts WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows[0]?.n).toBe(0);
    // Had the refused transaction's accounts been remembered, this would post to accounts that do not exist.
    const ctx = { tenantId, actor: 'alice', correlationId: 'first' };
    const { state } = await createEwaRequest(database.db(), ctx, {
      ...anEwaRequest,
      employeeId: 'emp-first',
      amountMinor: 1_000,
    });
    await approveEwaRequest(database.db(), { ...ctx, actor: 'bob' }, { id: state.id });
    expect((await disburse(tenantId, state.id)).status).toBe(200);
    expect(await outstanding(tenantId, 'emp-first')).toMatchObject({
      outstanding: [{ currency: 'EUR', outstandingMinor: 1_000 }],
    });
  });
});
