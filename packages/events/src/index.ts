export { type EventType, eventCatalogue } from './catalogue';
export { ewaEvents } from './ewa';
export { payrollEvents } from './payroll';
export {
  calendarDate,
  currencyCode,
  externalId,
  minorUnits,
  reasonText,
  unlessMissing,
} from './primitives';
export { type EventPattern, type Subscription, subscriptions } from './subscriptions';
