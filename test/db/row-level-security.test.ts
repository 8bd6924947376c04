import { readAsTenant } from '@auditflow/db';
import { createPayrollRun, getPayrollRunHistory } from '@auditflow/domain';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { aPayrollRun } from '../support/api';
import { attempt } from '../support/attempt';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

const TENANTS = ['rls-a', 'rls-b'];

async function runsOfEachTenant() {
  const ids: Record<string, string> = {};
  for (const tenantId of TENANTS) {
    const { state } = await createPayrollRun(
      database.db(),
      { tenantId, actor: 'alice', correlationId: 'c' },
      aPayrollRun,
    );
    ids[tenantId] = state.id;
  }
  return ids;
}

describe('row-level security', () => {
  it("returns only the tenant's rows from a read whose tenant filter was removed", async () => {
    await runsOfEachTenant();
    for (const table of ['payroll_runs', 'audit_log', 'outbox', 'state_transitions']) {
      const tenants = await readAsTenant(database.db(), 'rls-a', async (trx) => {
        const { rows } = await sql<{ tenant_id: string }>`
          SELECT DISTINCT tenant_id FROM ${sql.table(table)}`.execute(trx);
        return rows.map((row) => row.tenant_id);
      });
      expect(tenants, table).toEqual(['rls-a']);
    }
  });

  it('shows a transaction that names no tenant nothing, and lets it write nothing', async () => {
    await runsOfEachTenant();
    const { rows } = await database.sqlAs('api', 'SELECT count(*)::int AS n FROM payroll_runs');
    expect(rows).toEqual([{ n: 0 }]);
    expect(
      await attempt(database.roleUrl('api'), [
        `INSERT INTO idempotency_keys (tenant_id, key, fingerprint, aggregate_type) VALUES ('rls-a', 'k', 'f', 'payroll_run')`,
      ]),
    ).toBe('42501');
  });

  it("refuses writing another tenant's rows, and cannot see them to change", async () => {
    const ids = await runsOfEachTenant();
    expect(
      await attempt(
        database.roleUrl('api'),
        [
          `INSERT INTO idempotency_keys (tenant_id, key, fingerprint, aggregate_type) VALUES ('rls-b', 'k', 'f', 'payroll_run')`,
        ],
        { tenant: 'rls-a' },
      ),
    ).toBe('42501');
    const updated = await readAsTenant(database.db(), 'rls-a', async (trx) => {
      // one-rule-allow: proves another tenant's row cannot even be reached
      const result =
        await sql`UPDATE payroll_runs SET employee_count = 99 WHERE id = ${ids['rls-b']}`.execute(
          trx,
        );
      return Number(result.numAffectedRows);
    });
    expect(updated).toBe(0);
  });

  it('lets the relay see every tenant in the outbox, and the operator read across tenants', async () => {
    await runsOfEachTenant();
    const { rows: relay } = await database.sqlAs(
      'relay',
      `SELECT count(DISTINCT tenant_id)::int AS n FROM outbox WHERE tenant_id LIKE 'rls-%'`,
    );
    expect(relay).toEqual([{ n: 2 }]);
    const { rows: operator } = await database.sqlAs(
      'operator',
      `SELECT count(DISTINCT tenant_id)::int AS n FROM audit_log WHERE tenant_id LIKE 'rls-%'`,
    );
    expect(operator).toEqual([{ n: 2 }]);
  });

  it("keeps another tenant's audit row out of a history whose transition points at it", async () => {
    const ids = await runsOfEachTenant();
    // Planted with the triggers off, as only a superuser could: a transition
    // of tenant A's run that points at tenant B's audit row.
    const plant = `SET session_replication_role = replica;
      INSERT INTO state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command,
        from_status, to_status, actor, correlation_id, audit_id, outbox_id)
      SELECT gen_random_uuid(), 'rls-a', 'payroll_run', '${ids['rls-a']}', 2, 'submit', 'DRAFT',
             'SUBMITTED', 'mallory', 'c', a.id, gen_random_uuid()
        FROM audit_log a WHERE a.entity_id = '${ids['rls-b']}'`;
    await database.sql(plant);
    try {
      const history = await getPayrollRunHistory(database.db(), 'rls-a', ids['rls-a'] as string);
      expect(history.map((item) => item.version)).toEqual([1]);
    } finally {
      await database.sql(
        `SET session_replication_role = replica;
         DELETE FROM state_transitions WHERE aggregate_id = '${ids['rls-a']}' AND version = 2`,
      );
    }
  });
});
