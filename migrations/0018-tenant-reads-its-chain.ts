import { type Kysely, sql } from 'kysely';

/**
 * The API's role may read its tenant's chain entries, so an operator can
 * export an entity's history with its proofs from the console, under
 * row-level security like every other read of that route.
 *
 * Until now only auditflow_operator (the CLI, and the platform scope's
 * connection) read audit_chain. The console's export runs as auditflow_api
 * for the tenant its transaction names: the policy shows it that tenant's
 * entries and no other, and a transaction that names no tenant sees none.
 * It reads hashes of rows it may read already; it still cannot seal, write
 * or change an entry (no grant, and no policy but this SELECT).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    GRANT SELECT ON audit_chain TO auditflow_api;
    CREATE POLICY tenant_reads ON audit_chain FOR SELECT TO auditflow_api
      USING (tenant_id = current_setting('auditflow.tenant_id', true));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP POLICY tenant_reads ON audit_chain;
    REVOKE SELECT ON audit_chain FROM auditflow_api;
  `.execute(db);
}
