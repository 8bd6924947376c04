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
export {
  EVENT_SOURCE_APP,
  type EventPattern,
  patternOf,
  SUBSCRIBERS,
  type SubscriberDeclaration,
} from './subscribers';
