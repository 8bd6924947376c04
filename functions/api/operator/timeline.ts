import { readAsTenant } from '@auditflow/db';
import { queryRoute } from '@auditflow/http';
import { entityTimeline } from '@auditflow/operator';
import { z } from 'zod';
import { SCOPES } from '../scopes';

const uuid = z.uuid({ error: 'must be a UUID' });
const correlationId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 letters, digits, . _ : or -');

/** Exactly one of `entity`, `correlation` or `event`. */
const timelineQuery = z
  .strictObject({
    entity: uuid.optional(),
    correlation: correlationId.optional(),
    event: uuid.optional(),
  })
  .refine((query) => [query.entity, query.correlation, query.event].filter(Boolean).length === 1, {
    message: 'give exactly one of entity, correlation or event',
  });

/** An entity's whole audited story: versions, audit diffs, delivery, receipts, effects. */
export const handler = queryRoute({
  scopes: [SCOPES.operator],
  query: timelineQuery,
  // Row-level security shows the route's role only the tenant its transaction names.
  run: (db, { tenantId }, query) =>
    readAsTenant(db, tenantId, async (trx) => ({
      entities: await entityTimeline(
        trx,
        tenantId,
        query.entity
          ? { entityId: query.entity }
          : query.correlation
            ? { correlationId: query.correlation }
            : { eventId: query.event as string },
      ),
    })),
});
