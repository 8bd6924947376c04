import { getPayrollRunHistory } from '@auditflow/domain';
import { itemRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = itemRoute({
  scopes: [SCOPES.payrollRead],
  run: async (db, { tenantId }, id) => ({ items: await getPayrollRunHistory(db, tenantId, id) }),
});
