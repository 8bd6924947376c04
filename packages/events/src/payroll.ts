import { z } from 'zod';
import { calendarDate, currencyCode, minorUnits, reasonText } from './primitives';

const runFigures = {
  periodStart: calendarDate,
  periodEnd: calendarDate,
  payDate: calendarDate,
  currency: currencyCode,
  grossTotalMinor: minorUnits,
  employeeCount: z.number().int().positive(),
};

/** Payroll run events, by versioned type. A published version is never changed: add v2. */
export const payrollEvents = {
  'payroll.run_created.v1': z.strictObject(runFigures),
  'payroll.run_submitted.v1': z.strictObject({ submittedBy: z.string().min(1) }),
  'payroll.run_approved.v1': z.strictObject({
    approvedBy: z.string().min(1),
    currency: currencyCode,
    grossTotalMinor: minorUnits,
  }),
  'payroll.run_rejected.v1': z.strictObject({ rejectedBy: z.string().min(1), reason: reasonText }),
  'payroll.run_paid.v1': z.strictObject({ paidBy: z.string().min(1), ...runFigures }),
  'payroll.run_cancelled.v1': z.strictObject({
    cancelledBy: z.string().min(1),
    previousStatus: z.enum(['DRAFT', 'SUBMITTED']),
    reason: reasonText.nullable(),
  }),
} as const;
