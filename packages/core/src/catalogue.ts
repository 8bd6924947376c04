import type { z } from 'zod';
import { EventSchemaViolation } from './errors';

/**
 * Event type -> schema of its data, e.g. `{ 'payroll.run_approved.v1': schema }`.
 * The core knows only this shape; the events package supplies the content.
 */
export type EventCatalogue = Readonly<Record<string, z.ZodType>>;

/** Any one event of a catalogue, typed by its `type`: `{ type, data }`. */
export type EventOf<C extends EventCatalogue> = {
  [K in keyof C & string]: { type: K; data: z.input<C[K]> };
}[keyof C & string];

/**
 * Checks an event's data against its schema and returns the parsed data (what
 * is stored). Throws EventSchemaViolation for an unknown type or bad data.
 */
export function validateEvent(catalogue: EventCatalogue, type: string, data: unknown): unknown {
  const schema = Object.hasOwn(catalogue, type) ? catalogue[type] : undefined;
  if (!schema) {
    throw new EventSchemaViolation(type, [{ path: ['type'], message: 'unknown event type' }]);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new EventSchemaViolation(
      type,
      parsed.error.issues.map((issue) => ({
        path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
        message: issue.message,
      })),
    );
  }
  return parsed.data;
}
