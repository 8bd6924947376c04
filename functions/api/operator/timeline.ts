import { queryRoute } from '@auditflow/http';
import { entityTimeline } from '@auditflow/operator';
import { z } from 'zod';
import { SCOPES } from '../scopes';
import { forTenant, selectTenant, tenantParam } from './tenant-scope';

const uuid = z.uuid({ error: 'must be a UUID' });
const correlationId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 letters, digits, . _ : or -');

/** Exactly one of `entity`, `correlation` or `event`; `tenant` with the platform scope. */
const timelineQuery = z
  .strictObject({
    tenant: tenantParam,
    entity: uuid.optional(),
    correlation: correlationId.optional(),
    event: uuid.optional(),
  })
  .refine((query) => [query.entity, query.correlation, query.event].filter(Boolean).length === 1, {
    message: 'give exactly one of entity, correlation or event',
  });

/** An entity's whole audited story: versions, audit diffs, delivery, receipts, effects. */
export const handler = queryRoute({
  scopes: [SCOPES.operator, SCOPES.platform],
  query: timelineQuery,
  run: (db, principal, query) =>
    forTenant(db, selectTenant(principal, query.tenant), async (reader, tenant) => ({
      entities: await entityTimeline(
        reader,
        tenant ?? null,
        query.entity
          ? { entityId: query.entity }
          : query.correlation
            ? { correlationId: query.correlation }
            : { eventId: query.event as string },
      ),
    })),
});
