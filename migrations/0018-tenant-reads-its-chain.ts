import { type Kysely, sql } from 'kysely';

/**
 * The API's role may read its tenant's chain entries and checkpoint
 * records, so an operator can export an entity's history with its proofs
 * from the console, under row-level security like every other read of that
 * route.
 *
 * Until now only auditflow_operator (the CLI, and the platform scope's
 * connection) read them. The console's export runs as auditflow_api for the
 * tenant its transaction names: the policies show it that tenant's rows and
 * no other, and a transaction that names no tenant sees none. It reads
 * hashes of rows it may read already, and which checkpoint holds which
 * positions (to fetch only those from the store); it still cannot seal,
 * write or change either (no grant, and no policy but these SELECTs).
 *
 * An export finds the checkpoint holding a position by the index on
 * (tenant_id, to_seq): one probe per entry, whatever the number of
 * checkpoints. It costs one index entry per checkpoint written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    GRANT SELECT ON audit_chain, audit_checkpoints TO auditflow_api;
    CREATE POLICY tenant_reads ON audit_chain FOR SELECT TO auditflow_api
      USING (tenant_id = current_setting('auditflow.tenant_id', true));
    CREATE POLICY tenant_reads ON audit_checkpoints FOR SELECT TO auditflow_api
      USING (tenant_id = current_setting('auditflow.tenant_id', true));
    CREATE INDEX audit_checkpoints_by_end ON audit_checkpoints (tenant_id, to_seq);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX audit_checkpoints_by_end;
    DROP POLICY tenant_reads ON audit_checkpoints;
    DROP POLICY tenant_reads ON audit_chain;
    REVOKE SELECT ON audit_chain, audit_checkpoints FROM auditflow_api;
  `.execute(db);
}
