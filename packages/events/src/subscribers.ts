import type { EventType } from './catalogue';

/** What a subscriber is called and which events it consumes. */
export interface SubscriberDeclaration {
  /** Names the subscriber: its Lambda, its inbox rows, its dead letters, its actor. */
  name: string;
  eventTypes: readonly EventType[];
}

/**
 * Every subscriber, declared once. The domain's handlers take their name and
 * event types from here, the wiring derives each one's handler path and bus
 * pattern from it (`functions/subscribers/subscriptions.ts`), and sst.config.ts
 * and the local stack read that wiring.
 */
export const SUBSCRIBERS = {
  settleEwaOnRunPaid: {
    name: 'settle-ewa-on-run-paid',
    // The disbursement too: an advance disbursed after its run was paid settles then.
    eventTypes: ['payroll.run_paid.v1', 'ewa.request_disbursed.v1'],
  },
  dashboardProjection: {
    name: 'dashboard-projection',
    eventTypes: [
      'payroll.run_created.v1',
      'payroll.run_submitted.v1',
      'payroll.run_approved.v1',
      'payroll.run_rejected.v1',
      'payroll.run_paid.v1',
      'payroll.run_cancelled.v1',
      'ewa.request_created.v1',
      'ewa.request_approved.v1',
      'ewa.request_declined.v1',
      'ewa.request_disbursed.v1',
      'ewa.request_settled.v1',
    ],
  },
  storeAuditCheckpoints: {
    name: 'store-audit-checkpoints',
    eventTypes: ['audit.checkpoint.v1'],
  },
} as const satisfies Record<string, SubscriberDeclaration>;

/** The app half of every event's Source, `<app>.<context>`, as the relay publishes it. */
export const EVENT_SOURCE_APP = 'auditflow';

/**
 * An EventBridge event pattern, in the subset this project uses (documented
 * in packages/local/src/eventbridge/pattern.ts): `source` and `detailType`
 * list accepted values; `detail` maps fields to accepted values, nested.
 * The keys are SST's `bus.subscribe` pattern keys.
 */
export interface EventPattern {
  source?: string[];
  detailType?: string[];
  detail?: Record<string, unknown>;
}

/** The bus pattern that delivers a subscriber exactly the event types it consumes. */
export function patternOf(subscriber: SubscriberDeclaration): EventPattern {
  const contexts = subscriber.eventTypes.map((type) => type.split('.')[0]);
  return {
    source: [...new Set(contexts)].map((context) => `${EVENT_SOURCE_APP}.${context}`),
    detailType: [...subscriber.eventTypes],
  };
}
