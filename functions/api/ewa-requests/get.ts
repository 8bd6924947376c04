import { getEwaRequest, presentEwaRequest } from '@auditflow/domain';
import { itemRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = itemRoute({
  scopes: [SCOPES.ewaRead],
  run: async (db, { tenantId }, id) => presentEwaRequest(await getEwaRequest(db, tenantId, id)),
});
