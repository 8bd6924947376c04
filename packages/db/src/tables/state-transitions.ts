import type { Insertable, Selectable } from 'kysely';
import type { Timestamp, TransactionId } from './columns';

/** Append-only: one row per aggregate version, linking its audit row and event. */
export interface StateTransitionsTable {
  id: string;
  tenant_id: string;
  aggregate_type: string;
  aggregate_id: string;
  version: number;
  command: string;
  from_status: string | null;
  to_status: string;
  actor: string;
  occurred_at: Timestamp;
  correlation_id: string;
  audit_id: string;
  outbox_id: string;
  txid: TransactionId;
}

export type StateTransitionRow = Selectable<StateTransitionsTable>;
export type NewStateTransition = Insertable<StateTransitionsTable>;
