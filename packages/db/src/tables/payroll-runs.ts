import type { Insertable, Selectable } from 'kysely';
import type { CalendarDate, Timestamp } from './columns';

export const PAYROLL_RUN_STATUSES = [
  'DRAFT',
  'SUBMITTED',
  'APPROVED',
  'PAID',
  'CANCELLED',
] as const;
export type PayrollRunStatus = (typeof PAYROLL_RUN_STATUSES)[number];

export interface PayrollRunsTable {
  id: string;
  tenant_id: string;
  status: PayrollRunStatus;
  version: number;
  period_start: CalendarDate;
  period_end: CalendarDate;
  pay_date: CalendarDate;
  currency: string;
  gross_total_minor: number;
  employee_count: number;
  created_by: string;
  submitted_by: string | null;
  approved_by: string | null;
  paid_by: string | null;
  rejection_reason: string | null;
  cancellation_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type PayrollRunRow = Selectable<PayrollRunsTable>;
export type NewPayrollRun = Insertable<PayrollRunsTable>;
