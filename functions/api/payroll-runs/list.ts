import { listPayrollRuns, listPayrollRunsQuery } from '@auditflow/domain';
import { queryRoute } from '@auditflow/http';

export const handler = queryRoute({
  query: listPayrollRunsQuery,
  run: (db, { tenantId }, query) => listPayrollRuns(db, tenantId, query),
});
