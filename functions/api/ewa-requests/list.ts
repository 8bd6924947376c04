import { listEwaRequests, listEwaRequestsQuery } from '@auditflow/domain';
import { queryRoute } from '@auditflow/http';

export const handler = queryRoute({
  query: listEwaRequestsQuery,
  run: (db, { tenantId }, query) => listEwaRequests(db, tenantId, query),
});
