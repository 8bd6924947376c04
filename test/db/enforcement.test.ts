import { createPayrollRun } from '@auditflow/domain';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { aPayrollRun } from '../support/api';
import { attempt } from '../support/attempt';
import { useTestDatabase } from '../support/database';

/*
 * Every statement here deliberately bypasses the write unit with raw SQL, to
 * prove the database itself refuses a change without its audit row, event and
 * transition. Each is marked for the one-rule check.
 */
const database = useTestDatabase();

let counter = 0;
const newTenant = () => `cheat-${++counter}`;

/** Runs statements as the owner in one transaction; resolves with the error code, if any. */
const inTransaction = (statements: string[]) => attempt(database.url(), statements);

async function existingRun() {
  const tenantId = newTenant();
  const { state } = await createPayrollRun(
    database.db(),
    { tenantId, actor: 'alice', correlationId: 'setup' },
    aPayrollRun,
  );
  return state;
}

const runColumns = `(id, tenant_id, status, version, period_start, period_end, pay_date, currency,
  gross_total_minor, employee_count, created_by)`;
const newRunValues = (id: string, tenant: string) =>
  `('${id}', '${tenant}', 'DRAFT', 1, '2026-11-01', '2026-11-30', '2026-12-01', 'EUR', 100, 1, 'mallory')`;

// The snapshot is the row as written (or {} when there is none), so that a
// refusal here is for the missing piece, not for an untrue snapshot.
const auditFor = (id: string, tenant: string, version: number, entity = id) =>
  `INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version, after, correlation_id)
   VALUES (gen_random_uuid(), '${tenant}', 'mallory', 'Cheat', 'payroll_run', '${entity}', ${version},
           coalesce((SELECT to_jsonb(r) FROM payroll_runs r WHERE r.id = '${entity}'), '{}'), 'c')`;
const eventFor = (id: string, tenant: string, version: number) =>
  `INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, correlation_id, actor)
   VALUES (gen_random_uuid(), '${tenant}', 'payroll_run', '${id}', ${version}, 'payroll.run_created.v1', '{}', 'c', 'mallory')`;
const transitionFor = (id: string, tenant: string, version: number, to: string) =>
  `INSERT INTO state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command, to_status, actor, correlation_id, audit_id, outbox_id)
   SELECT gen_random_uuid(), '${tenant}', 'payroll_run', '${id}', ${version}, 'create', '${to}', 'mallory', 'c', a.id, o.id
     FROM audit_log a, outbox o
    WHERE a.entity_id = '${id}' AND a.entity_version = ${version}
      AND o.aggregate_id = '${id}' AND o.aggregate_version = ${version}`;

describe('the database refuses unaudited changes', () => {
  it('refuses to commit a domain row inserted without audit row, event and transition', async () => {
    const id = crypto.randomUUID();
    const tenant = newTenant();
    // one-rule-allow: proves the database refuses a bare insert
    const code = await inTransaction([
      `INSERT INTO payroll_runs ${runColumns} VALUES ${newRunValues(id, tenant)}`,
    ]);
    expect(code).toBe('AF001');
  });

  it.each([
    ['an audit row only', ['audit']],
    ['an audit row and an event, but no transition', ['audit', 'event']],
    ['an event and a transition-less audit of another entity', ['audit-other', 'event']],
  ])('refuses to commit an insert with %s', async (_label, parts) => {
    const id = crypto.randomUUID();
    const tenant = newTenant();
    const statements = [
      // one-rule-allow: proves the database refuses a partially recorded insert
      `INSERT INTO payroll_runs ${runColumns} VALUES ${newRunValues(id, tenant)}`,
      ...parts.map((part) =>
        part === 'audit'
          ? auditFor(id, tenant, 1)
          : part === 'audit-other'
            ? auditFor(id, tenant, 1, crypto.randomUUID())
            : eventFor(id, tenant, 1),
      ),
    ];
    expect(await inTransaction(statements)).toBe('AF001');
  });

  it('commits a raw insert that carries its audit row, event and transition (the rule is exact, not blanket)', async () => {
    const id = crypto.randomUUID();
    const tenant = newTenant();
    const code = await inTransaction([
      // one-rule-allow: proves a fully recorded change is accepted
      `INSERT INTO payroll_runs ${runColumns} VALUES ${newRunValues(id, tenant)}`,
      auditFor(id, tenant, 1),
      eventFor(id, tenant, 1),
      transitionFor(id, tenant, 1, 'DRAFT'),
    ]);
    expect(code).toBeNull();
  });

  it('refuses to commit a status update without its history, even with constraints set immediate', async () => {
    const run = await existingRun();
    // one-rule-allow: proves the database refuses a silent status change
    const update = `UPDATE payroll_runs SET status = 'PAID', version = version + 1 WHERE id = '${run.id}'`;
    expect(await inTransaction([update])).toBe('AF001');
    expect(await inTransaction(['SET CONSTRAINTS ALL IMMEDIATE', update])).toBe('AF001');
  });

  it('refuses an update whose history is recorded for the wrong version', async () => {
    const run = await existingRun();
    const code = await inTransaction([
      // one-rule-allow: proves history must match the new version
      `UPDATE payroll_runs SET status = 'SUBMITTED', version = 2 WHERE id = '${run.id}'`,
      auditFor(run.id, run.tenant_id, 3),
      eventFor(run.id, run.tenant_id, 3),
    ]);
    expect(code).toBe('AF001');
  });

  it('refuses version jumps, identity changes and deletes of domain rows', async () => {
    const run = await existingRun();
    // one-rule-allow: proves versions cannot skip
    expect(
      await inTransaction([`UPDATE payroll_runs SET version = 5 WHERE id = '${run.id}'`]),
    ).toBe('AF003');
    // one-rule-allow: proves a row cannot move to another tenant
    expect(
      await inTransaction([
        `UPDATE payroll_runs SET tenant_id = 'other', version = 2 WHERE id = '${run.id}'`,
      ]),
    ).toBe('AF003');
    // one-rule-allow: proves domain rows are never deleted
    expect(await inTransaction([`DELETE FROM payroll_runs WHERE id = '${run.id}'`])).toBe('AF003');
    // one-rule-allow: proves domain tables cannot be truncated
    expect(await inTransaction(['TRUNCATE payroll_runs CASCADE'])).toBe('AF002');
  });

  it.each(['audit_log', 'state_transitions'])(
    'keeps %s append-only: no UPDATE, DELETE or TRUNCATE',
    async (table) => {
      await existingRun();
      expect(await inTransaction([`UPDATE ${table} SET actor = 'mallory'`])).toBe('AF002');
      expect(await inTransaction([`DELETE FROM ${table}`])).toBe('AF002');
      expect(await inTransaction([`TRUNCATE ${table} CASCADE`])).toBe('AF002');
    },
  );

  it('stamps history rows with the writing transaction, whatever txid the caller supplies', async () => {
    const id = crypto.randomUUID();
    const tenant = newTenant();
    const forged = `INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version, after, correlation_id, txid)
      VALUES (gen_random_uuid(), '${tenant}', 'mallory', 'Cheat', 'payroll_run', '${id}', 1, '{}', 'c', '1')`;
    const client = new pg.Client({ connectionString: database.url() });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(forged);
      const { rows } = await client.query(
        'SELECT txid = pg_current_xact_id() AS own FROM audit_log WHERE entity_id = $1',
        [id],
      );
      expect(rows).toEqual([{ own: true }]);
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  });

  it('is not fooled by temporary tables that shadow the history tables, for a role that owns nothing', async () => {
    const run = await existingRun();
    const role = `cheater_${crypto.randomUUID().slice(0, 8)}`;
    // BYPASSRLS: this test is about temporary tables, not about row-level security.
    await database.sql(`CREATE ROLE ${role} LOGIN BYPASSRLS PASSWORD 'cheat'`);
    await database.sql(`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO ${role}`);
    // The login roles may neither connect as anyone else nor create temporary
    // tables at all; this role is given both, to show the checks hold even so.
    await database.sql(
      `DO $$ BEGIN EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO ${role}', current_database()); END $$`,
    );
    const url = new URL(database.url());
    url.username = role;
    url.password = 'cheat';
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    let code: string | null = null;
    try {
      await client.query('BEGIN');
      for (const table of ['audit_log', 'outbox', 'state_transitions']) {
        await client.query(`CREATE TEMP TABLE ${table} (LIKE public.${table} INCLUDING DEFAULTS)`);
      }
      await client.query(
        `INSERT INTO pg_temp.audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version, after, correlation_id, txid)
         VALUES (gen_random_uuid(), $1, 'm', 'X', 'payroll_run', $2, 2, '{}', 'c', pg_current_xact_id())`,
        [run.tenant_id, run.id],
      );
      await client.query(
        `INSERT INTO pg_temp.outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, correlation_id, actor, txid)
         VALUES (gen_random_uuid(), $1, 'payroll_run', $2, 2, 'x.y.v1', '{}', 'c', 'm', pg_current_xact_id())`,
        [run.tenant_id, run.id],
      );
      await client.query(
        `INSERT INTO pg_temp.state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command, to_status, actor, correlation_id, audit_id, outbox_id, txid)
         VALUES (gen_random_uuid(), $1, 'payroll_run', $2, 2, 'x', 'PAID', 'm', 'c', gen_random_uuid(), gen_random_uuid(), pg_current_xact_id())`,
        [run.tenant_id, run.id],
      );
      // one-rule-allow: proves temporary tables cannot stand in for the history
      await client.query(
        `UPDATE public.payroll_runs SET status = 'PAID', version = 2 WHERE id = $1`,
        [run.id],
      );
      await client.query('COMMIT');
    } catch (error) {
      code = (error as { code?: string }).code ?? 'unknown';
      await client.query('ROLLBACK').catch(() => {});
    } finally {
      await client.end();
      await database.sql(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
    expect(code).toBe('AF001');
  });

  it.each([
    ['an audit row', (id: string, tenant: string) => auditFor(id, tenant, 2)],
    ['an outbox event', (id: string, tenant: string) => eventFor(id, tenant, 2)],
  ])(
    'refuses %s with no change of its aggregate in the same transaction',
    async (_label, statement) => {
      const run = await existingRun();
      expect(await inTransaction([statement(run.id, run.tenant_id)])).toBe('AF001');
    },
  );

  it('starts every event undelivered, whatever status its writer gives it', async () => {
    const id = crypto.randomUUID();
    const tenant = newTenant();
    const code = await inTransaction([
      // one-rule-allow: proves an event cannot be written as already published
      `INSERT INTO payroll_runs ${runColumns} VALUES ${newRunValues(id, tenant)}`,
      auditFor(id, tenant, 1),
      eventFor(id, tenant, 1)
        .replace("'c', 'mallory')", "'c', 'mallory')")
        .replace(
          'INSERT INTO outbox (id, tenant_id,',
          'INSERT INTO outbox (status, published_at, id, tenant_id,',
        )
        .replace('VALUES (gen_random_uuid()', "VALUES ('published', now(), gen_random_uuid()"),
      transitionFor(id, tenant, 1, 'DRAFT'),
    ]);
    expect(code).toBeNull();
    const { rows } = await database.sql(
      'SELECT status, published_at FROM outbox WHERE aggregate_id = $1',
      [id],
    );
    expect(rows).toEqual([{ status: 'pending', published_at: null }]);
  });

  it('refuses to delete an undelivered event or truncate the outbox', async () => {
    const run = await existingRun();
    expect(await inTransaction([`DELETE FROM outbox WHERE aggregate_id = '${run.id}'`])).toBe(
      'AF002',
    );
    expect(await inTransaction(['TRUNCATE outbox'])).toBe('AF002');
  });

  it("refuses to change an event's content once written; only its delivery state may change", async () => {
    const run = await existingRun();
    expect(
      await inTransaction([
        `UPDATE outbox SET payload = '{"forged":true}' WHERE aggregate_id = '${run.id}'`,
      ]),
    ).toBe('AF002');
    expect(
      await inTransaction([
        `UPDATE outbox SET event_type = 'x.y.v1' WHERE aggregate_id = '${run.id}'`,
      ]),
    ).toBe('AF002');
    expect(
      await inTransaction([
        `UPDATE outbox SET last_error = 'noted' WHERE aggregate_id = '${run.id}'`,
      ]),
    ).toBeNull();
  });
});
