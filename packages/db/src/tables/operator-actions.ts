import type { Selectable } from 'kysely';
import type { Timestamp } from './columns';

/**
 * What an operator did to delivery state. Append-only; written only by the
 * owner's functions that make the change in the same statement:
 * retry_dead_event(), skip_dead_event(), retry_dead_events(), replay_events().
 */
export interface OperatorActionsTable {
  id: string;
  tenant_id: string;
  /** Who the caller says acted (`operator:<name>`, or the token's subject). */
  actor: string;
  /** The login role the call came in on, as the database saw it; null for rows before 0017. */
  login_role: string | null;
  action: 'retry_dead_event' | 'skip_dead_event' | 'replay_event';
  target_event_id: string;
  reason: string;
  correlation_id: string;
  at: Timestamp;
}

export type OperatorActionRow = Selectable<OperatorActionsTable>;
