import { emptyObject } from '@auditflow/core';
import { queryRoute } from '@auditflow/http';
import { reconcile } from '@auditflow/operator';
import { SCOPES } from '../scopes';

/** The tenant's reconciliation: transitions, audit rows and events per event type, mismatches apart. */
export const handler = queryRoute({
  scopes: [SCOPES.operator],
  query: emptyObject,
  run: (db, { tenantId }) => reconcile(db, tenantId),
});
