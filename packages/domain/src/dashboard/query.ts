import { type DB, readAsTenant } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

interface StatusTotals {
  count: number;
  /**
   * Sum of amounts in minor units, per currency, exact: a JSON number while
   * it is a safe integer, its decimal digits as a string beyond 2^53.
   */
  amountMinor: Record<string, number | string>;
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
        // As text: a bigint sum can pass 2^53, which a JS number cannot hold.
        sql<string | null>`sum(amount_minor)::text`.as('amount'),
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
      const sum = BigInt(totals.amountMinor[row.currency] ?? 0) + BigInt(row.amount);
      totals.amountMinor[row.currency] =
        sum <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sum) : sum.toString();
    }
  }
  return dashboard;
}
