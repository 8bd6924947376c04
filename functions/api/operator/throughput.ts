import { queryRoute } from '@auditflow/http';
import { throughput } from '@auditflow/operator';
import { z } from 'zod';
import { SCOPES } from '../scopes';
import { forTenant, selectTenant, tenantParam } from './tenant-scope';

const whole = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

/**
 * Events written and published per bucket, for the outbox chart: by default
 * the last hour in minutes. At most 240 buckets, so one answer stays small.
 */
export const handler = queryRoute({
  scopes: [SCOPES.operator, SCOPES.platform],
  query: z.strictObject({
    tenant: tenantParam,
    bucketSeconds: whole(1, 86_400, 60),
    buckets: whole(1, 240, 60),
  }),
  run: (db, principal, query) =>
    forTenant(db, selectTenant(principal, query.tenant), (reader, tenant) =>
      throughput(reader, { bucketSeconds: query.bucketSeconds, buckets: query.buckets }, tenant),
    ),
});
