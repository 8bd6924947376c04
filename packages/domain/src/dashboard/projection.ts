import type { DB } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

/** The source table of each aggregate type, and the column that holds its money. */
const SOURCES: Record<string, { table: 'payroll_runs' | 'ewa_requests'; amount: string }> = {
  payroll_run: { table: 'payroll_runs', amount: 'gross_total_minor' },
  ewa_request: { table: 'ewa_requests', amount: 'amount_minor' },
};

export type DashboardOutcome = 'applied' | 'unknown-aggregate' | 'ahead-of-source';

/**
 * Folds one event into the dashboard's read model. The event says only which
 * aggregate changed: status, amount, currency and version come from the
 * aggregate's row in the event's tenant (read under that tenant), so a
 * forged or misrouted event cannot write what the source does not hold. An
 * event for an aggregate the tenant does not have, or of a version beyond
 * the source's, changes nothing. Safe in any order and any number of times:
 * a row only moves to a higher version. Must run in a transaction whose
 * tenant is the event's.
 */
export async function applyToDashboard(
  db: Kysely<DB>,
  event: { tenantId: string; aggregate: { type: string; id: string; version: number } },
): Promise<DashboardOutcome> {
  const source = SOURCES[event.aggregate.type];
  if (!source) return 'unknown-aggregate';
  const { rows } = await sql<{ version: number }>`
    SELECT version FROM ${sql.table(source.table)}
     WHERE tenant_id = ${event.tenantId} AND id = ${event.aggregate.id}
  `.execute(db);
  const current = rows[0];
  if (!current) return 'unknown-aggregate';
  if (event.aggregate.version > current.version) return 'ahead-of-source';
  await sql`
    INSERT INTO dashboard_aggregates
      (tenant_id, aggregate_type, aggregate_id, version, status, currency, amount_minor)
    SELECT tenant_id, ${event.aggregate.type}, id, version, status, currency, ${sql.ref(source.amount)}
      FROM ${sql.table(source.table)}
     WHERE tenant_id = ${event.tenantId} AND id = ${event.aggregate.id}
    ON CONFLICT (tenant_id, aggregate_type, aggregate_id) DO UPDATE SET
      version = excluded.version, status = excluded.status,
      currency = excluded.currency, amount_minor = excluded.amount_minor
      WHERE excluded.version > dashboard_aggregates.version
  `.execute(db);
  return 'applied';
}
