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

export interface Subscription {
  /** Names the subscriber: its Lambda, its inbox rows, its dead letters. */
  name: string;
  /** Module path from the repository root plus the export, as SST takes it. */
  handler: string;
  pattern: EventPattern;
}

/**
 * Every subscriber, declared once: sst.config.ts subscribes each to the bus
 * and the local EventBridge endpoint delivers to the same list.
 */
export const subscriptions: readonly Subscription[] = [
  {
    name: 'settle-ewa-on-run-paid',
    handler: 'functions/subscribers/settle-ewa-on-run-paid.handler',
    pattern: { source: ['auditflow.payroll'], detailType: ['payroll.run_paid.v1'] },
  },
  {
    name: 'dashboard-projection',
    handler: 'functions/subscribers/dashboard-projection.handler',
    pattern: { source: ['auditflow.payroll', 'auditflow.ewa'] },
  },
];
