import { emptyObject } from '@auditflow/core';
import { readAsTenant } from '@auditflow/db';
import { queryRoute } from '@auditflow/http';
import { reconcile } from '@auditflow/operator';
import { SCOPES } from '../scopes';

/** The tenant's reconciliation: transitions, audit rows and events per event type, mismatches apart. */
export const handler = queryRoute({
  scopes: [SCOPES.operator],
  query: emptyObject,
  // Row-level security shows the route's role only the tenant its transaction names.
  run: (db, { tenantId }) => readAsTenant(db, tenantId, (trx) => reconcile(trx, tenantId)),
});
