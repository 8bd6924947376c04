import type { Insertable, Selectable } from 'kysely';
import type { CalendarDate, Timestamp } from './columns';

export const EWA_REQUEST_STATUSES = [
  'REQUESTED',
  'APPROVED',
  'DECLINED',
  'DISBURSED',
  'SETTLED',
] as const;
export type EwaRequestStatus = (typeof EWA_REQUEST_STATUSES)[number];

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
  /** The payroll run whose payment settled this advance. */
  settled_by_run_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type EwaRequestRow = Selectable<EwaRequestsTable>;
export type NewEwaRequest = Insertable<EwaRequestsTable>;
