import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from './columns';

/** Events a subscriber could not use (bad schema) or, locally, could not deliver. */
export interface SubscriberDeadLettersTable {
  id: Generated<number>;
  subscriber: string;
  event_id: string | null;
  detail_type: string | null;
  event: Json;
  reason: string;
  failed_at: Timestamp;
  /** When a redrive delivered the event: the letter stays, as a record, but is no longer open. */
  redriven_at: ColumnType<string | null, never, never>;
}
