import type { ColumnType, Insertable, Selectable } from 'kysely';
import type { Json, Timestamp, TransactionId } from './columns';

export type OutboxStatus = 'pending' | 'published' | 'dead';

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
}

export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxEvent = Insertable<OutboxTable>;
