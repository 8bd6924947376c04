import { getEwaRequest, presentEwaRequest } from '@auditflow/domain';
import { itemRoute } from '@auditflow/http';

export const handler = itemRoute({
  run: async (db, { tenantId }, id) => presentEwaRequest(await getEwaRequest(db, tenantId, id)),
});
