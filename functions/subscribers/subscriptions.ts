import { type EventPattern, patternOf, SUBSCRIBERS } from '@auditflow/events';

export interface Subscription {
  /** The subscriber's declared name (packages/events). */
  name: string;
  /** Module path from the repository root plus the export, as SST takes it. */
  handler: string;
  pattern: EventPattern;
}

/**
 * Every subscriber's Lambda wiring, derived from its declaration: the entry
 * point is `functions/subscribers/<name>.ts`, and the bus delivers it exactly
 * the event types it consumes. sst.config.ts subscribes each to the bus and
 * the local EventBridge endpoint delivers to the same list.
 */
export const subscriptions: readonly Subscription[] = Object.values(SUBSCRIBERS).map(
  (subscriber) => ({
    name: subscriber.name,
    handler: `functions/subscribers/${subscriber.name}.handler`,
    pattern: patternOf(subscriber),
  }),
);
