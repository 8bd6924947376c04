import { type AuditExport, exportEntity, verifyExport } from '@auditflow/audit';
import { SCOPES } from '@auditflow/functions';
import { describe, expect, it } from 'vitest';
import { type Caller, call } from '../support/api';
import { attempt } from '../support/attempt';
import { sealAndStore, useCheckpointStore, writeHistory } from '../support/audit-chain';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();
const store = useCheckpointStore();
let counter = 0;

/** A tenant with two sealed and checkpointed runs, and its operator. */
async function sealedTenant() {
  const tenant = `export-${++counter}`;
  const runs = await writeHistory(tenant, 2);
  await sealAndStore(database, tenant);
  const operator: Caller = { tenant, sub: 'olga', scopes: [SCOPES.operator] };
  return { tenant, runs: runs as [string, string], operator };
}

const exportOf = (as: Caller, query: string) =>
  call('GET', `/operator/audit-export?${query}`, { as });

describe('exporting an entity with its proofs through the operator routes', () => {
  it('answers the document the audit CLI exports, every row proven offline', async () => {
    const t = await sealedTenant();
    const response = await exportOf(t.operator, `entity=${t.runs[0]}`);
    expect(response.status).toBe(200);
    const document = response.body as AuditExport;
    expect(document).toMatchObject({ tenantId: t.tenant, entityId: t.runs[0] });
    expect(document.rows.map((row) => row.kind).sort()).toEqual([
      'audit',
      'audit',
      'event',
      'event',
      'transition',
      'transition',
    ]);
    expect(document.rows.every((row) => row.checkpointNo !== null)).toBe(true);
    expect(verifyExport(document)).toEqual([]);
    // The same as the operator role's export, read with the CLI's credentials.
    const direct = await exportEntity(database.operatorDb(), store(), {
      tenantId: t.tenant,
      entityId: t.runs[0],
    });
    expect({ ...document, exportedAt: null }).toEqual({ ...direct, exportedAt: null });
  });

  it("finds nothing of another tenant's entity: 404 by default, 403 when naming that tenant", async () => {
    const mine = await sealedTenant();
    const theirs = await sealedTenant();
    const hidden = await exportOf(mine.operator, `entity=${theirs.runs[0]}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('not_found');
    const named = await exportOf(mine.operator, `entity=${theirs.runs[0]}&tenant=${theirs.tenant}`);
    expect(named.status).toBe(403);
    const platform: Caller = { ...mine.operator, scopes: [SCOPES.platform] };
    const allowed = await exportOf(platform, `entity=${theirs.runs[0]}&tenant=${theirs.tenant}`);
    expect(allowed.status).toBe(200);
    expect(verifyExport(allowed.body)).toEqual([]);
  });

  it.each([
    ['no entity', '', 'query.entity'],
    ['an entity that is not a UUID', "entity=1' OR '1'='1", 'query.entity'],
    [
      'every tenant at once',
      'entity=0190f2a4-0000-7000-8000-000000000000&tenant=*',
      'query.tenant',
    ],
    [
      'an unknown parameter',
      'entity=0190f2a4-0000-7000-8000-000000000000&proofs=no',
      'query.proofs',
    ],
  ])('refuses an export asked for %s: 400 naming %s', async (_label, query, path) => {
    const platform: Caller = { tenant: 'export-x', sub: 'pat', scopes: [SCOPES.platform] };
    const response = await exportOf(platform, query);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
  });

  it('needs the operator scope: a business token gets 403', async () => {
    const t = await sealedTenant();
    const response = await exportOf({ tenant: t.tenant, sub: 'alice' }, `entity=${t.runs[0]}`);
    expect(response.status).toBe(403);
  });

  it("shows the API's role the chain entries and checkpoint records of the tenant its transaction names, and never changes one", async () => {
    const a = await sealedTenant();
    const b = await sealedTenant();
    const api = database.roleUrl('api');
    const { rows } = await database.sql(
      `SELECT tenant_id, count(*)::int AS n FROM audit_chain WHERE tenant_id IN ($1, $2)
        GROUP BY tenant_id ORDER BY tenant_id`,
      [a.tenant, b.tenant],
    );
    // Two runs of two versions, each an audit row, a transition and an event.
    expect(rows.map((row) => row.n)).toEqual([12, 12]);
    const seen = async (tenant: string | null) => {
      const client = new (await import('pg')).default.Client({ connectionString: api });
      await client.connect();
      try {
        await client.query('BEGIN');
        if (tenant)
          await client.query("SELECT set_config('auditflow.tenant_id', $1, true)", [tenant]);
        const result = await client.query(
          `SELECT tenant_id FROM audit_chain UNION SELECT tenant_id FROM audit_checkpoints`,
        );
        await client.query('COMMIT');
        return result.rows.map((row) => row.tenant_id);
      } finally {
        await client.end();
      }
    };
    expect(await seen(a.tenant)).toEqual([a.tenant]);
    expect(await seen(null)).toEqual([]);
    for (const statement of [
      "UPDATE audit_chain SET hash = repeat('0', 64)",
      'DELETE FROM audit_chain',
      "UPDATE audit_checkpoints SET head_hash = repeat('0', 64)",
      'DELETE FROM audit_checkpoints',
      'SELECT seal_audit_chain(100, 100)',
    ]) {
      expect(await attempt(api, [statement]), statement).toBe('42501');
    }
  });
});
