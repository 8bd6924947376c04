export { EVENT_TYPE_PATTERN, type EventCatalogue, type EventOf, validateEvent } from './catalogue';
export {
  AppError,
  ERROR_CODES,
  type ErrorCode,
  type ErrorKind,
  EventSchemaViolation,
  type FieldIssue,
  notFound,
} from './errors';
export { type HistoryItem, readHistory } from './history';
export { isUuid, newId } from './ids';
export {
  type DeadEvent,
  listDeadEvents,
  replayEvents,
  retryDeadEvents,
} from './operator/dead-letters';
export { type ReconcileRow, type Reconciliation, reconcile } from './operator/reconcile';
export { type OutboxStatus, oldestPendingAgeMs, outboxStatus } from './operator/status';
export { DEFAULT_RETRY_POLICY, type RetryPolicy, retryDelayMs } from './relay/backoff';
export { createEventBridgeClient } from './relay/client';
export { type RelayConfig, relayConfigFromEnv } from './relay/config';
export { RELAY_DEFAULTS } from './relay/defaults';
export {
  type EventEnvelope,
  entrySize,
  MAX_ENTRIES_PER_REQUEST,
  MAX_REQUEST_BYTES,
  toEntry,
  toEnvelope,
} from './relay/envelope';
export type { EntryOutcome } from './relay/publish';
export {
  createRelay,
  type DrainOptions,
  type PassResult,
  type Relay,
  type RelayOptions,
  type RelayTelemetry,
} from './relay/relay';
export { prunePublished } from './relay/statements';
export { powertoolsTelemetry } from './relay/telemetry';
export {
  createWakeSignal,
  type ListenOptions,
  listenForCommits,
  type WakeSignal,
} from './relay/wake';
export type { Envelope } from './subscriber/envelope-schema';
export { listDeadLetters, recordDeadLetter, recordInboxEvent } from './subscriber/inbox';
export {
  type Aggregate,
  type AggregateFields,
  type AggregateRow,
  type AggregateStatus,
  type AggregateUpdates,
  defineAggregate,
} from './write-unit/aggregate';
export type { CommandContext, WriteResult } from './write-unit/context';
export type { Change, Creation } from './write-unit/decision';
export { pruneIdempotencyKeys } from './write-unit/idempotency';
export {
  type AfterCommit,
  defineWriteUnit,
  type TransitionOptions,
  type WriteBatch,
  type WriteUnit,
  type WriteUnitOptions,
} from './write-unit/write-unit';
