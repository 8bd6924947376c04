import type { Insertable, Selectable } from 'kysely';
import type { Json, Timestamp, TransactionId } from './columns';

export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  /** Hash of what the key was first used for; a different request under the same key is refused. */
  fingerprint: string;
  aggregate_type: string;
  aggregate_id: string | null;
  /** The aggregate state the first request produced, replayed verbatim. */
  result: Json | null;
  created_at: Timestamp;
  txid: TransactionId;
}

export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
export type NewIdempotencyKey = Insertable<IdempotencyKeysTable>;
