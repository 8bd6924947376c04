import type { DB } from '@auditflow/db';
import type { Kysely } from 'kysely';

/**
 * The tenant's disbursed requests that a payroll run of this currency and
 * exact pay period settles, in id order (so concurrent settlements lock rows
 * in the same order). Read only.
 */
export async function findSettleableRequests(
  db: Kysely<DB>,
  run: { tenantId: string; currency: string; periodStart: string; periodEnd: string },
): Promise<string[]> {
  const rows = await db
    .selectFrom('ewa_requests')
    .select('id')
    .where('tenant_id', '=', run.tenantId)
    .where('status', '=', 'DISBURSED')
    .where('currency', '=', run.currency)
    .where('period_start', '=', run.periodStart)
    .where('period_end', '=', run.periodEnd)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}
