import { queryRoute } from '@auditflow/http';
import { listDeadEvents } from '@auditflow/operator';
import { z } from 'zod';
import { SCOPES } from '../scopes';
import { deadLimitParam } from './query-params';
import { forTenant, selectTenant, tenantParam } from './tenant-scope';

/** The tenant's dead events, oldest first, each with the reason the relay gave up on it. */
export const handler = queryRoute({
  scopes: [SCOPES.operator, SCOPES.platform],
  query: z.strictObject({ tenant: tenantParam, limit: deadLimitParam }),
  run: (db, principal, query) =>
    forTenant(db, selectTenant(principal, query.tenant), async (reader, tenant) => ({
      events: await listDeadEvents(reader, query.limit, tenant),
    })),
});
