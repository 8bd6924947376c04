import { queryRoute } from '@auditflow/http';
import { outboxOverview } from '@auditflow/operator';
import { z } from 'zod';
import { SCOPES } from '../scopes';
import { deadLimitParam, throughputWindowParams } from './query-params';
import { forTenant, selectTenant, tenantParam } from './tenant-scope';

/**
 * The console's outbox view in one answer: the counts of /operator/outbox,
 * the buckets of /operator/throughput and the dead events of
 * /operator/dead-events, with the same parameters as those.
 */
export const handler = queryRoute({
  scopes: [SCOPES.operator, SCOPES.platform],
  query: z.strictObject({ tenant: tenantParam, ...throughputWindowParams, limit: deadLimitParam }),
  run: (db, principal, query) =>
    forTenant(db, selectTenant(principal, query.tenant), (reader, tenant) =>
      outboxOverview(
        reader,
        {
          window: { bucketSeconds: query.bucketSeconds, buckets: query.buckets },
          deadLimit: query.limit,
        },
        tenant,
      ),
    ),
});
