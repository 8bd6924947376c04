import { lambdaContext } from '@auditflow/local';
import { describe, expect, it } from 'vitest';
import { handler as settle } from '../../functions/subscribers/settle-ewa-on-run-paid';
import { anEwaRequest, aPayrollRun, call } from '../support/api';
import { useTestDatabase } from '../support/database';
import { outboxRows, targetEventFor } from '../support/events';

const database = useTestDatabase();
let counter = 0;

/**
 * The walk of the README through the API: an advance disbursed, the run of
 * its period paid, the settlement delivered to its subscriber.
 */
async function walk() {
  const tenant = `books-${++counter}`;
  const alice = { tenant, sub: 'alice' };
  const bob = { tenant, sub: 'bob' };
  const ewa = (await call('POST', '/ewa-requests', { as: alice, body: anEwaRequest })).body.id;
  expect((await call('POST', `/ewa-requests/${ewa}/approve`, { as: bob })).status).toBe(200);
  expect((await call('POST', `/ewa-requests/${ewa}/disburse`, { as: bob })).status).toBe(200);
  const run = (await call('POST', '/payroll-runs', { as: alice, body: aPayrollRun })).body.id;
  await call('POST', `/payroll-runs/${run}/submit`, { as: alice });
  await call('POST', `/payroll-runs/${run}/approve`, { as: bob });
  expect((await call('POST', `/payroll-runs/${run}/mark-paid`, { as: bob })).status).toBe(200);
  const [paid] = await outboxRows(database, tenant, 'payroll.run_paid.v1');
  if (!paid) throw new Error('no run_paid event');
  await settle(targetEventFor(paid), lambdaContext('settle'));
  return { tenant, alice, ewa, run };
}

const gross = aPayrollRun.grossTotalMinor;
const advance = anEwaRequest.amountMinor;

describe('the books after a run is paid and its advance settled', () => {
  it('show wages as expense, cash as what left, and the employee owing nothing', async () => {
    const { alice } = await walk();
    const accounts = await call('GET', '/ledger/accounts', { as: alice });
    expect(accounts.status).toBe(200);
    expect(accounts.body.nextCursor).toBeNull();
    const byCode = Object.fromEntries(
      accounts.body.items.map((a: { code: string }) => [a.code, a]),
    );
    expect(byCode).toEqual({
      'funding-cash': {
        code: 'funding-cash',
        type: 'asset',
        currency: 'EUR',
        debitsMinor: advance,
        creditsMinor: advance + gross,
        balanceMinor: -gross,
      },
      'wages-expense': {
        code: 'wages-expense',
        type: 'expense',
        currency: 'EUR',
        debitsMinor: gross,
        creditsMinor: 0,
        balanceMinor: gross,
      },
      'ewa-receivable:emp-1': {
        code: 'ewa-receivable:emp-1',
        type: 'asset',
        currency: 'EUR',
        debitsMinor: advance,
        creditsMinor: advance,
        balanceMinor: 0,
      },
    });
    const owed = await call('GET', '/ledger/employees/emp-1/outstanding', { as: alice });
    expect(owed.body).toEqual({
      employeeId: 'emp-1',
      account: 'ewa-receivable:emp-1',
      outstanding: [
        { currency: 'EUR', outstandingMinor: 0, limitMinor: 100_000, availableMinor: 100_000 },
      ],
      defaultLimitMinor: 100_000,
    });
  });

  it("lists an account's entries newest first, each caused by its event and audit row, a page at a time", async () => {
    const { tenant, alice, ewa, run } = await walk();
    const first = await call('GET', '/ledger/accounts/funding-cash/entries?limit=2', { as: alice });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: { eventType: string }) => e.eventType)).toEqual([
      'ewa.request_settled.v1',
      'payroll.run_paid.v1',
    ]);
    const rest = await call(
      'GET',
      `/ledger/accounts/funding-cash/entries?limit=2&cursor=${first.body.nextCursor}`,
      { as: alice },
    );
    expect(rest.body.nextCursor).toBeNull();
    const [disbursed] = rest.body.items;
    expect(disbursed).toMatchObject({
      eventType: 'ewa.request_disbursed.v1',
      description: expect.stringContaining(ewa),
      postings: [
        {
          accountCode: 'ewa-receivable:emp-1',
          currency: 'EUR',
          side: 'debit',
          amountMinor: advance,
        },
        { accountCode: 'funding-cash', currency: 'EUR', side: 'credit', amountMinor: advance },
      ],
    });
    const { rows } = await database.sql(
      `SELECT o.id AS event_id, a.id AS audit_id, a.correlation_id FROM outbox o
         JOIN audit_log a ON a.entity_id = o.aggregate_id AND a.entity_version = o.aggregate_version
        WHERE o.tenant_id = $1 AND o.event_type = 'ewa.request_disbursed.v1'`,
      [tenant],
    );
    expect(disbursed).toMatchObject({
      eventId: rows[0]?.event_id,
      auditId: rows[0]?.audit_id,
      correlationId: rows[0]?.correlation_id,
    });
    const wages = await call('GET', '/ledger/accounts/wages-expense/entries', { as: alice });
    expect(wages.body.items).toHaveLength(1);
    expect(wages.body.items[0].description).toContain(run);
  });

  it('reconcile finds history and books in agreement, through the operator route', async () => {
    const { tenant } = await walk();
    const report = await call('GET', '/operator/reconcile', {
      as: { tenant, sub: 'olga', scopes: ['operator'] },
    });
    expect(report.status).toBe(200);
    expect(report.body.balanced).toBe(true);
    expect(report.body.books.rows).toEqual([
      {
        tenantId: tenant,
        eventType: 'ewa.request_disbursed.v1',
        events: 1,
        entries: 1,
        audits: 1,
        unmatched: 0,
      },
      {
        tenantId: tenant,
        eventType: 'ewa.request_settled.v1',
        events: 1,
        entries: 1,
        audits: 1,
        unmatched: 0,
      },
      {
        tenantId: tenant,
        eventType: 'payroll.run_paid.v1',
        events: 1,
        entries: 1,
        audits: 1,
        unmatched: 0,
      },
    ]);
  });

  it("another tenant sees none of the tenant's books", async () => {
    await walk();
    const other = { tenant: `books-other-${counter}`, sub: 'eve' };
    expect((await call('GET', '/ledger/accounts', { as: other })).body.items).toEqual([]);
    const entries = await call('GET', '/ledger/accounts/funding-cash/entries', { as: other });
    expect(entries.status).toBe(404);
    expect(entries.body.code).toBe('not_found');
  });
});
