import { SCOPES } from '@auditflow/functions';
import { describe, expect, it } from 'vitest';
import { type Caller, call } from '../support/api';
import { useTestDatabase } from '../support/database';
import { relayFor, useEventBridgeEndpoint } from '../support/relay';
import { seedPayrollRuns } from '../support/seed';

const database = useTestDatabase();
const endpoint = useEventBridgeEndpoint();
let counter = 0;

/** Two tenants with published events, and one operator of the first. */
async function twoTenants() {
  const n = ++counter;
  const mine = `platform-a-${n}`;
  const theirs = `platform-b-${n}`;
  await seedPayrollRuns(database, { tenantId: mine, runs: 1 });
  await seedPayrollRuns(database, { tenantId: theirs, runs: 2 });
  await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
  const operator: Caller = { tenant: mine, sub: 'olga', scopes: [SCOPES.operator] };
  const platform: Caller = { tenant: mine, sub: 'pat', scopes: [SCOPES.platform] };
  return { mine, theirs, operator, platform };
}

const published = async (as: Caller, query = '') =>
  (await call('GET', `/operator/outbox${query}`, { as })).body.published;

describe('the tenant an operator route answers for', () => {
  it("is the token's own tenant, with or without the platform scope, when none is asked for", async () => {
    const t = await twoTenants();
    expect(await published(t.operator)).toBe(1);
    expect(await published(t.platform)).toBe(1);
    expect(await published(t.operator, `?tenant=${t.mine}`)).toBe(1);
  });

  it.each([
    ['/operator/outbox', ''],
    ['/operator/reconcile', ''],
    ['/operator/dead-events', ''],
    ['/operator/throughput', ''],
    ['/operator/outbox/overview', ''],
    ['/operator/timeline', '&entity=0190f2a4-0000-7000-8000-000000000000'],
  ])(
    'is refused with 403 when %s names another tenant without the platform scope',
    async (path, extra) => {
      const t = await twoTenants();
      for (const tenant of [t.theirs, '*']) {
        const response = await call('GET', `${path}?tenant=${tenant}${extra}`, { as: t.operator });
        expect(response.status, `${path} tenant=${tenant}`).toBe(403);
        expect(response.body.code).toBe('forbidden');
      }
    },
  );

  it('is any tenant, or every tenant with *, for a token with the platform scope', async () => {
    const t = await twoTenants();
    expect(await published(t.platform, `?tenant=${t.theirs}`)).toBe(2);
    const all = await call('GET', '/operator/reconcile?tenant=*', { as: t.platform });
    const tenants = new Set(all.body.rows.map((row: { tenantId: string }) => row.tenantId));
    expect(tenants).toContain(t.mine);
    expect(tenants).toContain(t.theirs);
  });

  it("finds another tenant's entity in the timeline only with the platform scope", async () => {
    const t = await twoTenants();
    const { rows } = await database.sql(
      'SELECT aggregate_id FROM state_transitions WHERE tenant_id = $1 LIMIT 1',
      [t.theirs],
    );
    const query = `entity=${rows[0].aggregate_id}`;
    const own = await call('GET', `/operator/timeline?${query}`, { as: t.platform });
    expect(own.body.entities).toEqual([]);
    const everywhere = await call('GET', `/operator/timeline?${query}&tenant=*`, {
      as: t.platform,
    });
    expect(everywhere.body.entities).toHaveLength(1);
    expect(everywhere.body.entities[0].tenantId).toBe(t.theirs);
  });

  it('refuses a tenant that is not a tenant id with 400', async () => {
    const t = await twoTenants();
    const response = await call('GET', '/operator/outbox?tenant=a%20b', { as: t.platform });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('query.tenant');
  });
});
