import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Json, Timestamp } from './columns';

/** One row per subscriber and event it processed, written with the effect. */
export interface InboxTable {
  subscriber: string;
  event_id: string;
  event_type: string;
  processed_at: Timestamp;
}

/** Events a subscriber could not use (bad schema) or, locally, could not deliver. */
export interface SubscriberDeadLettersTable {
  id: Generated<number>;
  subscriber: string;
  event_id: string | null;
  detail_type: string | null;
  event: Json;
  reason: string;
  failed_at: Timestamp;
}

export type InboxRow = Selectable<InboxTable>;
export type SubscriberDeadLetterRow = Selectable<SubscriberDeadLettersTable>;

/** The dashboard's read model: the latest state of each aggregate, as events tell it. */
export interface DashboardAggregatesTable {
  tenant_id: string;
  aggregate_type: string;
  aggregate_id: string;
  version: number;
  status: string;
  currency: string | null;
  amount_minor: ColumnType<number | null, number | null, number | null>;
}
