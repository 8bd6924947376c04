import { queryRoute } from '@auditflow/http';
import { throughput } from '@auditflow/operator';
import { z } from 'zod';
import { SCOPES } from '../scopes';
import { throughputWindowParams } from './query-params';
import { forTenant, selectTenant, tenantParam } from './tenant-scope';

/** Events written and published per bucket, for the outbox chart. */
export const handler = queryRoute({
  scopes: [SCOPES.operator, SCOPES.platform],
  query: z.strictObject({ tenant: tenantParam, ...throughputWindowParams }),
  run: (db, principal, query) =>
    forTenant(db, selectTenant(principal, query.tenant), (reader, tenant) =>
      throughput(reader, { bucketSeconds: query.bucketSeconds, buckets: query.buckets }, tenant),
    ),
});
