import { listPayrollRuns, listPayrollRunsQuery } from '@auditflow/domain';
import { queryRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = queryRoute({
  scopes: [SCOPES.payrollRead],
  query: listPayrollRunsQuery,
  run: (db, { tenantId }, query) => listPayrollRuns(db, tenantId, query),
});
