import { getPayrollRun, presentPayrollRun } from '@auditflow/domain';
import { itemRoute } from '@auditflow/http';

export const handler = itemRoute({
  run: async (db, { tenantId }, id) => presentPayrollRun(await getPayrollRun(db, tenantId, id)),
});
