import { queryRoute } from '@auditflow/http';
import { outboxStatus } from '@auditflow/operator';
import { z } from 'zod';
import { SCOPES } from '../scopes';
import { forTenant, selectTenant, tenantParam } from './tenant-scope';

/** The tenant's outbox: counts by delivery state and the age of its oldest pending event. */
export const handler = queryRoute({
  scopes: [SCOPES.operator, SCOPES.platform],
  query: z.strictObject({ tenant: tenantParam }),
  run: (db, principal, query) => forTenant(db, selectTenant(principal, query.tenant), outboxStatus),
});
