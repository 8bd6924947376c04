import { routes, SCOPES } from '@auditflow/functions';
import { describe, expect, it } from 'vitest';
import { anEwaRequest, aPayrollRun, call } from '../support/api';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();
const TENANT = 'permissions';
const UNKNOWN_ID = '0190f2a4-0000-7000-8000-000000000000';

const concrete = (path: string) => path.replace('{id}', UNKNOWN_ID);
const bodyFor = (path: string) =>
  path === '/payroll-runs'
    ? aPayrollRun
    : path === '/ewa-requests'
      ? anEwaRequest
      : path.endsWith('/reject') || path.endsWith('/decline')
        ? { reason: 'not this time' }
        : undefined;

async function rowCounts() {
  const { rows } = await database.sql(
    `SELECT (SELECT count(*) FROM payroll_runs)::int + (SELECT count(*) FROM ewa_requests)::int
          + (SELECT count(*) FROM audit_log)::int + (SELECT count(*) FROM outbox)::int AS n`,
  );
  return rows[0]?.n as number;
}

describe('permissions', () => {
  const guarded = routes.filter((route) => route.auth);

  it.each(guarded.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s refuses a token without any of its scopes with 403 forbidden, and writes nothing',
    async (_, route) => {
      const before = await rowCounts();
      const others = Object.values(SCOPES).filter((scope) => !route.scopes.includes(scope));
      const response = await call(route.method, concrete(route.path), {
        as: { tenant: TENANT, sub: 'mallory', scopes: others },
        body: bodyFor(route.path),
      });
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body.code).toBe('forbidden');
      expect(await rowCounts()).toBe(before);
    },
  );

  it.each(guarded.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s lets through a token with only one of the scopes its manifest entry names',
    async (_, route) => {
      for (const scope of route.scopes) {
        const response = await call(route.method, concrete(route.path), {
          as: { tenant: TENANT, sub: 'alice', scopes: [scope] },
          body: bodyFor(route.path),
        });
        expect(response.status, scope).not.toBe(403);
        expect(response.status, scope).toBeLessThan(500);
      }
    },
  );

  it('refuses a token with no scope claim at all (an ID token of the same issuer)', async () => {
    const response = await call('GET', '/payroll-runs', {
      claims: { tenant_id: TENANT, sub: 'alice' },
    });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('forbidden');
  });

  it('reads scopes from an scp list as the JWT authorizer passes it on', async () => {
    const response = await call('GET', '/payroll-runs', {
      claims: { tenant_id: TENANT, sub: 'alice', scp: '[ewa:read payroll:read]' },
    });
    expect(response.status).toBe(200);
  });

  it('does not take a scope that merely contains the needed one', async () => {
    const response = await call('GET', '/payroll-runs', {
      claims: { tenant_id: TENANT, sub: 'alice', scope: 'payroll:reader xpayroll:read' },
    });
    expect(response.status).toBe(403);
  });
});
