import { type Kysely, sql } from 'kysely';

/**
 * The dashboard's rows are keyed by tenant too: an aggregate id another
 * tenant's event names is another row, never this tenant's. (Row-level
 * security already refuses a write into another tenant's row; the key makes
 * the read model say what it holds.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE dashboard_aggregates DROP CONSTRAINT dashboard_aggregates_pkey;
    ALTER TABLE dashboard_aggregates ADD PRIMARY KEY (tenant_id, aggregate_type, aggregate_id);
    DROP INDEX dashboard_aggregates_by_tenant;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX dashboard_aggregates_by_tenant ON dashboard_aggregates (tenant_id);
    ALTER TABLE dashboard_aggregates DROP CONSTRAINT dashboard_aggregates_pkey;
    ALTER TABLE dashboard_aggregates ADD PRIMARY KEY (aggregate_type, aggregate_id);
  `.execute(db);
}
