import { type Kysely, sql } from 'kysely';

/**
 * Row-level security on every table with a tenant: a session sees and
 * writes only the rows of the tenant its transaction names with
 * `set_config('auditflow.tenant_id', …, true)` (the write unit, every read
 * and every subscriber set it). A transaction that names no tenant sees
 * and writes nothing.
 *
 * Forced, so the owner is filtered too; the owner's own policies below
 * cover only what its SECURITY DEFINER functions must reach across tenants
 * (retry, replay and the idempotency-key prune), and the owner can lift all
 * of this anyway. The relay and the operator are cross-tenant by design:
 * the relay sees the outbox (all of it, and nothing else), the operator
 * reads the outbox and the history.
 */
const TENANT_TABLES = [
  'payroll_runs',
  'ewa_requests',
  'audit_log',
  'outbox',
  'state_transitions',
  'idempotency_keys',
  'dashboard_aggregates',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of TENANT_TABLES) {
    await sql`
      ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY;
      ALTER TABLE ${sql.table(table)} FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ${sql.table(table)} TO auditflow_api
        USING (tenant_id = current_setting('auditflow.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('auditflow.tenant_id', true));
    `.execute(db);
  }
  await sql`
    CREATE POLICY relay_delivers ON outbox TO auditflow_relay USING (true) WITH CHECK (true);
    CREATE POLICY operator_reads ON outbox FOR SELECT TO auditflow_operator USING (true);
    CREATE POLICY operator_reads ON audit_log FOR SELECT TO auditflow_operator USING (true);
    CREATE POLICY operator_reads ON state_transitions FOR SELECT TO auditflow_operator USING (true);
    -- The owner is whichever role runs the migrations: named at run time.
    DO $$
    BEGIN
      EXECUTE format('CREATE POLICY owner_functions ON outbox TO %I USING (true) WITH CHECK (true)', current_user);
      EXECUTE format('CREATE POLICY owner_functions ON idempotency_keys TO %I USING (true) WITH CHECK (true)', current_user);
    END $$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP POLICY owner_functions ON idempotency_keys;
    DROP POLICY owner_functions ON outbox;
    DROP POLICY operator_reads ON state_transitions;
    DROP POLICY operator_reads ON audit_log;
    DROP POLICY operator_reads ON outbox;
    DROP POLICY relay_delivers ON outbox;
  `.execute(db);
  for (const table of TENANT_TABLES) {
    await sql`
      DROP POLICY tenant_isolation ON ${sql.table(table)};
      ALTER TABLE ${sql.table(table)} NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE ${sql.table(table)} DISABLE ROW LEVEL SECURITY;
    `.execute(db);
  }
}
