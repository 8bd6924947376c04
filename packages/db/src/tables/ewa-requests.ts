import type { Insertable, Selectable } from 'kysely';
import type { CalendarDate, Timestamp } from './columns';

export type EwaRequestStatus = 'REQUESTED' | 'APPROVED' | 'DECLINED' | 'DISBURSED' | 'SETTLED';

export interface EwaRequestsTable {
  id: string;
  tenant_id: string;
  status: EwaRequestStatus;
  version: number;
  employee_id: string;
  amount_minor: number;
  currency: string;
  period_start: CalendarDate;
  period_end: CalendarDate;
  created_by: string;
  approved_by: string | null;
  disbursed_by: string | null;
  decline_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type EwaRequestRow = Selectable<EwaRequestsTable>;
export type NewEwaRequest = Insertable<EwaRequestsTable>;
