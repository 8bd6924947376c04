import { emptyObject } from '@auditflow/core';
import { readAsTenant } from '@auditflow/db';
import { queryRoute } from '@auditflow/http';
import { outboxStatus } from '@auditflow/operator';
import { SCOPES } from '../scopes';

/** The tenant's outbox: counts by delivery state and the age of its oldest pending event. */
export const handler = queryRoute({
  scopes: [SCOPES.operator],
  query: emptyObject,
  // Row-level security shows the route's role only the tenant its transaction names.
  run: (db, { tenantId }) => readAsTenant(db, tenantId, (trx) => outboxStatus(trx, tenantId)),
});
