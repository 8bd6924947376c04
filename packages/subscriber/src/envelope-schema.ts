import { z } from 'zod';

/** The `detail` the relay publishes (see relay/envelope.ts), with `data` as the event type's schema. */
export function envelopeSchema<D extends z.ZodType>(data: D) {
  return z.object({
    id: z.uuid(),
    type: z.string(),
    tenantId: z.string().min(1),
    aggregate: z.object({ type: z.string(), id: z.uuid(), version: z.number().int().positive() }),
    occurredAt: z.string(),
    correlationId: z.string().min(1),
    causationId: z.string().nullable(),
    actor: z.string().min(1),
    data,
  });
}

export type Envelope<D> = Omit<z.infer<ReturnType<typeof envelopeSchema>>, 'data'> & { data: D };
