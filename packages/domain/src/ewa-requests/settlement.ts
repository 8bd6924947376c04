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

/**
 * The tenant's PAID payroll run of this currency and exact pay period, the
 * first by id if several are: what settles an advance disbursed after the
 * run was paid. Undefined when none is paid yet. Read only.
 */
export async function findPaidRunCovering(
  db: Kysely<DB>,
  request: { tenantId: string; currency: string; periodStart: string; periodEnd: string },
): Promise<string | undefined> {
  const run = await db
    .selectFrom('payroll_runs')
    .select('id')
    .where('tenant_id', '=', request.tenantId)
    .where('status', '=', 'PAID')
    .where('currency', '=', request.currency)
    .where('period_start', '=', request.periodStart)
    .where('period_end', '=', request.periodEnd)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return run?.id;
}
