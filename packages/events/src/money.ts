import type { EventType } from './catalogue';

/**
 * The event types that move money: a change that records one commits only
 * with its balanced journal entry, in the same transaction (the write unit's
 * types demand the entry; the database, which learns this list after
 * migrating, refuses the commit without it).
 */
export const MONEY_MOVING_EVENT_TYPES = [
  'payroll.run_paid.v1',
  'ewa.request_disbursed.v1',
  'ewa.request_settled.v1',
] as const satisfies readonly EventType[];

export type MoneyMovingEventType = (typeof MONEY_MOVING_EVENT_TYPES)[number];
