import type { Timestamp } from './columns';

/** One row per subscriber and event it processed, written with the effect. */
export interface InboxTable {
  subscriber: string;
  event_id: string;
  event_type: string;
  processed_at: Timestamp;
}
