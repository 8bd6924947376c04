import type { TestDatabase } from './database';

export type FaultPoint =
  | 'idempotency_keys:insert'
  | 'idempotency_keys:update'
  | 'payroll_runs:insert'
  | 'payroll_runs:update'
  | 'audit_log:insert'
  | 'outbox:insert'
  | 'state_transitions:insert'
  | 'commit';

/**
 * Plants a real failure in the test database for one tenant's writes: a
 * trigger that raises at that statement, or (for `commit`) a deferred
 * constraint trigger that raises when the transaction commits. Returns a
 * function that removes it.
 */
export async function injectFault(
  database: TestDatabase,
  point: FaultPoint,
  tenantId: string,
): Promise<() => Promise<void>> {
  const name = `fault_${point.replace(/\W/g, '_')}_${tenantId.replace(/\W/g, '_')}`;
  await database.sql(`
    CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'injected fault at ${point}';
    END $$;
  `);
  const condition = `WHEN (NEW.tenant_id = '${tenantId.replace(/'/g, "''")}')`;
  if (point === 'commit') {
    await database.sql(`
      CREATE CONSTRAINT TRIGGER ${name} AFTER INSERT ON outbox
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW ${condition} EXECUTE FUNCTION ${name}();
    `);
    return () => database.sql(`DROP TRIGGER ${name} ON outbox`).then(() => {});
  }
  const [table, operation] = point.split(':') as [string, string];
  await database.sql(`
    CREATE TRIGGER ${name} BEFORE ${operation.toUpperCase()} ON ${table}
      FOR EACH ROW ${condition} EXECUTE FUNCTION ${name}();
  `);
  return () => database.sql(`DROP TRIGGER ${name} ON ${table}`).then(() => {});
}

/** Rows per table for one tenant: a failed write must leave these unchanged. */
export async function tenantRowCounts(database: TestDatabase, tenantId: string) {
  const { rows } = await database.sql(
    `SELECT
       (SELECT count(*)::int FROM payroll_runs WHERE tenant_id = $1) AS payroll_runs,
       (SELECT count(*)::int FROM ewa_requests WHERE tenant_id = $1) AS ewa_requests,
       (SELECT count(*)::int FROM audit_log WHERE tenant_id = $1) AS audit_log,
       (SELECT count(*)::int FROM outbox WHERE tenant_id = $1) AS outbox,
       (SELECT count(*)::int FROM state_transitions WHERE tenant_id = $1) AS state_transitions,
       (SELECT count(*)::int FROM idempotency_keys WHERE tenant_id = $1) AS idempotency_keys,
       (SELECT coalesce(max(version), 0)::int FROM payroll_runs WHERE tenant_id = $1) AS max_version`,
    [tenantId],
  );
  return rows[0] as Record<string, number>;
}
