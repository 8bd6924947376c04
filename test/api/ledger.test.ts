import { describe, expect, it } from 'vitest';
import { call } from '../support/api';
import { useTestDatabase } from '../support/database';

useTestDatabase();
const alice = { tenant: 'ledger-api', sub: 'alice' };

const pathsOf = (body: { errors?: { path: string }[] }) => body.errors?.map((e) => e.path);

describe('the ledger routes', () => {
  it.each([
    ['/ledger/accounts?limit=0', 'query.limit'],
    ['/ledger/accounts?limit=abc', 'query.limit'],
    ['/ledger/accounts?currency=eur', 'query.currency'],
    ['/ledger/accounts?cursor=not-one-of-ours', 'query.cursor'],
    ['/ledger/accounts?tenant=other', 'query.tenant'],
    ['/ledger/accounts/funding-cash/entries?limit=101', 'query.limit'],
    ['/ledger/accounts/%20funding/entries', 'path.code'],
    [`/ledger/accounts/${'x'.repeat(200)}/entries`, 'path.code'],
    ['/ledger/employees/emp%201/outstanding', 'path.employeeId'],
    ['/ledger/employees/emp-1/outstanding?x=1', 'query.x'],
  ])('answers %s with 400 problem+json naming %s', async (path, field) => {
    const response = await call('GET', path, { as: alice });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('validation_failed');
    expect(pathsOf(response.body)).toContain(field);
  });

  it('answers an account the tenant does not have with 404, and an employee without advances with no balances', async () => {
    const missing = await call('GET', '/ledger/accounts/no-such-account/entries', { as: alice });
    expect(missing.status).toBe(404);
    const owed = await call('GET', '/ledger/employees/emp-new/outstanding', { as: alice });
    expect(owed.status).toBe(200);
    expect(owed.body).toEqual({
      employeeId: 'emp-new',
      account: 'ewa-receivable:emp-new',
      outstanding: [],
      defaultLimitMinor: 100_000,
    });
  });

  it('needs ledger:read (or ewa:read for outstanding advances)', async () => {
    const payroll = { ...alice, scopes: ['payroll:read'] };
    expect((await call('GET', '/ledger/accounts', { as: payroll })).status).toBe(403);
    const ewa = { ...alice, scopes: ['ewa:read'] };
    expect((await call('GET', '/ledger/accounts', { as: ewa })).status).toBe(403);
    expect((await call('GET', '/ledger/employees/emp-1/outstanding', { as: ewa })).status).toBe(
      200,
    );
    const ledger = { ...alice, scopes: ['ledger:read'] };
    expect((await call('GET', '/ledger/accounts', { as: ledger })).status).toBe(200);
  });
});
