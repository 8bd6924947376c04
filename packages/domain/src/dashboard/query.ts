import { type DB, readAsTenant } from '@auditflow/db';
import type { Kysely } from 'kysely';

interface StatusTotals {
  count: number;
  /** Sum of amounts in minor units, per currency. */
  amountMinor: Record<string, number>;
}

export interface Dashboard {
  payrollRuns: Record<string, StatusTotals>;
  ewaRequests: Record<string, StatusTotals>;
}

const SECTIONS: Record<string, keyof Dashboard> = {
  payroll_run: 'payrollRuns',
  ewa_request: 'ewaRequests',
};

/**
 * Counts and amounts by status for the tenant, from the read model the
 * dashboard subscriber keeps: eventually consistent with the source tables.
 */
export async function getDashboard(db: Kysely<DB>, tenantId: string): Promise<Dashboard> {
  const rows = await readAsTenant(db, tenantId, (trx) =>
    trx
      .selectFrom('dashboard_aggregates')
      .select(({ fn }) => [
        'aggregate_type',
        'status',
        'currency',
        fn.countAll<number>().as('count'),
        fn.sum<number>('amount_minor').as('amount'),
      ])
      .where('tenant_id', '=', tenantId)
      .groupBy(['aggregate_type', 'status', 'currency'])
      .execute(),
  );
  const dashboard: Dashboard = { payrollRuns: {}, ewaRequests: {} };
  for (const row of rows) {
    const section = SECTIONS[row.aggregate_type];
    if (!section) continue;
    const totals = dashboard[section][row.status] ?? { count: 0, amountMinor: {} };
    dashboard[section][row.status] = totals;
    totals.count += Number(row.count);
    if (row.currency && row.amount !== null) {
      totals.amountMinor[row.currency] =
        (totals.amountMinor[row.currency] ?? 0) + Number(row.amount);
    }
  }
  return dashboard;
}
