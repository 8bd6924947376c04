export {
  type Aggregate,
  type AggregateFields,
  type AggregateRow,
  type AggregateStatus,
  type AggregateUpdates,
  defineAggregate,
} from './aggregate';
export type { CommandContext, WriteResult } from './context';
export type { Change, Creation, Recorded } from './decision';
export {
  defineWriteUnit,
  type TransitionOptions,
  type WriteBatch,
  type WriteUnit,
} from './define-write-unit';
export { pruneIdempotencyKeys } from './idempotency';
export { type HistoryItem, readHistory } from './read-history';
