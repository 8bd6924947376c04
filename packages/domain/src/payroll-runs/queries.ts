import { type DB, PAYROLL_RUN_STATUSES } from '@auditflow/db';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { aggregateHistory, findAggregate, listAggregates } from '../shared/aggregate-queries';
import { pageQuery } from '../shared/pagination';
import { payrollRuns } from './aggregate';
import { presentPayrollRun } from './present';

/** Query of `GET /payroll-runs`. */
export const listPayrollRunsQuery = z.strictObject({
  status: z.enum(PAYROLL_RUN_STATUSES).optional(),
  ...pageQuery,
});
export type ListPayrollRunsQuery = z.infer<typeof listPayrollRunsQuery>;

/** One run of the tenant. Throws `not_found` for an unknown id or another tenant's run. */
export const getPayrollRun = (db: Kysely<DB>, tenantId: string, id: string) =>
  findAggregate(db, payrollRuns, tenantId, id);

/** The tenant's runs, newest first, optionally of one status. */
export const listPayrollRuns = (db: Kysely<DB>, tenantId: string, query: ListPayrollRunsQuery) =>
  listAggregates(db, payrollRuns, tenantId, query, presentPayrollRun);

/** The run's transitions with their audit rows, oldest first. */
export const getPayrollRunHistory = (db: Kysely<DB>, tenantId: string, id: string) =>
  aggregateHistory(db, payrollRuns, tenantId, id);
