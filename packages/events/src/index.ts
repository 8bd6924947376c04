export { auditEvents } from './audit';
export { type EventType, eventCatalogue } from './catalogue';
export { ewaEvents } from './ewa';
export { MONEY_MOVING_EVENT_TYPES, type MoneyMovingEventType } from './money';
export { payrollEvents } from './payroll';
export {
  calendarDate,
  currencyCode,
  externalId,
  minorUnits,
  reasonText,
  unlessMissing,
} from './primitives';
export {
  EVENT_SOURCE_APP,
  type EventPattern,
  patternOf,
  SUBSCRIBERS,
  type SubscriberDeclaration,
} from './subscribers';
