import { getPayrollRun, presentPayrollRun } from '@auditflow/domain';
import { itemRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = itemRoute({
  scopes: [SCOPES.payrollRead],
  run: async (db, { tenantId }, id) => presentPayrollRun(await getPayrollRun(db, tenantId, id)),
});
