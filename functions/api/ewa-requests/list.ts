import { listEwaRequests, listEwaRequestsQuery } from '@auditflow/domain';
import { queryRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = queryRoute({
  scopes: [SCOPES.ewaRead],
  query: listEwaRequestsQuery,
  run: (db, { tenantId }, query) => listEwaRequests(db, tenantId, query),
});
