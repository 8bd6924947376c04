export { type EventCatalogue, type EventOf, validateEvent } from './catalogue';
export { emptyObject } from './empty-object';
export {
  AppError,
  ERROR_CODES,
  type ErrorCode,
  type ErrorKind,
  EventSchemaViolation,
  type FieldIssue,
  notFound,
} from './errors';
export { isUuid, newId } from './ids';
