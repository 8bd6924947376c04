export { type DeadEvent, listDeadEvents } from './dead-events';
export {
  type EntityTimeline,
  entityTimeline,
  type TimelineLedgerEntry,
  type TimelineQuery,
  type TimelineVersion,
} from './entity-timeline';
export { type OutboxOverview, outboxOverview } from './outbox-overview';
export { type OutboxStatus, oldestPendingAgeMs, outboxStatus } from './outbox-status';
export { type ReconcileRow, type Reconciliation, reconcile } from './reconcile';
export {
  type BalanceMismatch,
  type BooksReconciliation,
  type BooksRow,
  type EntryFault,
  reconcileBooks,
} from './reconcile-books';
export {
  type QueuedEvent,
  type RequeueBy,
  type RequeueLimits,
  RequeueRefused,
  replayEvents,
  retryDeadEvents,
} from './requeue';

export {
  eventStatus,
  type RecordedAction,
  type RetryRequest,
  retryDeadEvent,
  skipDeadEvent,
} from './retry-dead-event';
export { type Throughput, type ThroughputBucket, throughput } from './throughput';
