import type { TestDatabase } from './database';

/**
 * Creates `runs` payroll runs for `tenantId` with `versions` versions each,
 * every version with its audit row, transition and outbox event, in one
 * transaction of plain SQL: the load tests need tens of thousands of events
 * faster than one write-unit call per event allows. The rows are relay
 * fodder, not true history (a version of DRAFT after DRAFT, audit rows
 * without snapshots), so the seed runs as the superuser with triggers off
 * (session_replication_role = replica), which no login role may do. Event
 * ids sort by creation time, as the write unit's UUIDv7 ids do.
 */
/** A UUID that sorts by the moment it is made (Postgres 15 has no uuidv7()). */
const TIME_ORDERED_UUID = `(lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1e6)::bigint), 16, '0')
  || substr(md5(random()::text), 1, 16))::uuid`;

export async function seedPayrollRuns(
  database: TestDatabase,
  options: { tenantId: string; runs: number; versions?: number; payloadPadding?: number },
): Promise<void> {
  const versions = options.versions ?? 1;
  const padding = options.payloadPadding ?? 0;
  const statements = [
    'BEGIN',
    'SET LOCAL session_replication_role = replica',
    // one-rule-allow: bulk seeding for relay tests, with the full history the database demands
    `INSERT INTO payroll_runs (id, tenant_id, status, version, period_start, period_end, pay_date,
       currency, gross_total_minor, employee_count, created_by)
     SELECT gen_random_uuid(), $1, 'DRAFT', 1, '2026-11-01', '2026-11-30', '2026-12-01', 'EUR', n, 1, 'seed'
       FROM generate_series(1, ${options.runs}) AS n`,
    history(1),
  ];
  for (let version = 2; version <= versions; version++) {
    statements.push(
      // one-rule-allow: bulk seeding for relay tests, with the full history the database demands
      `UPDATE payroll_runs SET version = version + 1, updated_at = now() WHERE tenant_id = $1`,
      history(version),
    );
  }
  statements.push('COMMIT');
  const client = new (await import('pg')).default.Client({ connectionString: database.url() });
  await client.connect();
  try {
    for (const statement of statements) {
      const parameterized = statement.includes('$1');
      await client.query(statement, parameterized ? [options.tenantId] : []);
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }

  function history(version: number): string {
    return `
      WITH runs AS (SELECT id FROM payroll_runs WHERE tenant_id = $1 AND version = ${version}),
      audits AS (
        INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version, after, correlation_id)
        SELECT gen_random_uuid(), $1, 'seed', 'PayrollRunSeeded', 'payroll_run', id, ${version}, '{}', 'seed-' || id
          FROM runs RETURNING id, entity_id
      ),
      events AS (
        INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, correlation_id, actor)
        SELECT ${TIME_ORDERED_UUID}, $1, 'payroll_run', id, ${version}, 'payroll.run_seeded.v1',
               jsonb_build_object('version', ${version}, 'padding', repeat('x', ${padding})), 'seed-' || id, 'seed'
          FROM runs RETURNING id, aggregate_id
      )
      INSERT INTO state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command, to_status, actor, correlation_id, audit_id, outbox_id)
      SELECT gen_random_uuid(), $1, 'payroll_run', a.entity_id, ${version}, 'seed', 'DRAFT', 'seed', 'seed', a.id, e.id
        FROM audits a JOIN events e ON e.aggregate_id = a.entity_id`;
  }
}
