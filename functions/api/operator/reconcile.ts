import { queryRoute } from '@auditflow/http';
import { reconcile } from '@auditflow/operator';
import { z } from 'zod';
import { SCOPES } from '../scopes';
import { forTenant, selectTenant, tenantParam } from './tenant-scope';

/** The tenant's reconciliation: transitions, audit rows and events per event type, mismatches apart. */
export const handler = queryRoute({
  scopes: [SCOPES.operator, SCOPES.platform],
  query: z.strictObject({ tenant: tenantParam }),
  run: (db, principal, query) => forTenant(db, selectTenant(principal, query.tenant), reconcile),
});
