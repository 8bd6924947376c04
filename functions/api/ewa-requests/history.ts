import { getEwaRequestHistory } from '@auditflow/domain';
import { itemRoute } from '@auditflow/http';

export const handler = itemRoute({
  run: async (db, { tenantId }, id) => ({ items: await getEwaRequestHistory(db, tenantId, id) }),
});
