import type { ColumnType, Insertable, Selectable } from 'kysely';
import type { Json, Timestamp, TransactionId } from './columns';

export type OutboxStatus = 'pending' | 'published' | 'dead' | 'skipped';

export interface OutboxTable {
  id: string;
  tenant_id: string;
  aggregate_type: string;
  aggregate_id: string;
  aggregate_version: number;
  event_type: string;
  payload: Json;
  occurred_at: Timestamp;
  correlation_id: string;
  causation_id: string | null;
  actor: string;
  txid: TransactionId;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  published_at: string | null;
  /** The relay holding the row's lease, while it publishes. */
  claimed_by: string | null;
  /** When the lease ends; an expired lease means the relay died and the row is free again. */
  claimed_until: string | null;
}

export interface OutboxRetentionTable {
  singleton: ColumnType<boolean, boolean | undefined, boolean>;
  pruned_before: string;
}

export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxEvent = Insertable<OutboxTable>;
