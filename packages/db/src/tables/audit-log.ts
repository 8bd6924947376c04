import type { Insertable, Selectable } from 'kysely';
import type { Json, Timestamp, TransactionId } from './columns';

/** Append-only: the database refuses UPDATE, DELETE and TRUNCATE. */
export interface AuditLogTable {
  id: string;
  tenant_id: string;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  entity_version: number;
  before: Json | null;
  after: Json;
  occurred_at: Timestamp;
  correlation_id: string;
  causation_id: string | null;
  txid: TransactionId;
}

export type AuditRow = Selectable<AuditLogTable>;
export type NewAudit = Insertable<AuditLogTable>;
