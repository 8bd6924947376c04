import { queryRoute } from '@auditflow/http';
import { listDeadEvents } from '@auditflow/operator';
import { z } from 'zod';
import { SCOPES } from '../scopes';
import { forTenant, selectTenant, tenantParam } from './tenant-scope';

/** The tenant's dead events, oldest first, each with the reason the relay gave up on it. */
export const handler = queryRoute({
  scopes: [SCOPES.operator, SCOPES.platform],
  query: z.strictObject({
    tenant: tenantParam,
    limit: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(100, 'must be at most 100')
      .default(100),
  }),
  run: (db, principal, query) =>
    forTenant(db, selectTenant(principal, query.tenant), async (reader, tenant) => ({
      events: await listDeadEvents(reader, query.limit, tenant),
    })),
});
