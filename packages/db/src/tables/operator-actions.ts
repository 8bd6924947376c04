import type { Selectable } from 'kysely';
import type { Timestamp } from './columns';

/** What an operator did to delivery state. Append-only; written only by retry_dead_event(). */
export interface OperatorActionsTable {
  id: string;
  tenant_id: string;
  actor: string;
  action: 'retry_dead_event' | 'skip_dead_event';
  target_event_id: string;
  reason: string;
  correlation_id: string;
  at: Timestamp;
}

export type OperatorActionRow = Selectable<OperatorActionsTable>;
