import { getPayrollRunHistory } from '@auditflow/domain';
import { itemRoute } from '@auditflow/http';

export const handler = itemRoute({
  run: async (db, { tenantId }, id) => ({ items: await getPayrollRunHistory(db, tenantId, id) }),
});
