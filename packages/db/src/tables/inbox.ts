import type { ColumnType } from 'kysely';
import type { Timestamp } from './columns';

/** One row per subscriber and event it processed, written with the effect. */
export interface InboxTable {
  subscriber: string;
  event_id: string;
  event_type: string;
  processed_at: Timestamp;
}

/** How long receipts are kept (one row); the owner sets it, the relay prunes by it. */
export interface InboxRetentionTable {
  singleton: ColumnType<boolean, boolean | undefined, boolean>;
  /** A Postgres interval: read it as seconds (`extract(epoch FROM keep_for)`). */
  keep_for: ColumnType<unknown, string | undefined, string>;
}
