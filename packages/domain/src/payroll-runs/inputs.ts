import {
  calendarDate,
  currencyCode,
  minorUnits,
  reasonText,
  unlessMissing,
} from '@auditflow/events';
import { z } from 'zod';

/** Body of `POST /payroll-runs`. Unknown fields are refused, not ignored. */
export const createPayrollRunInput = z
  .strictObject({
    periodStart: calendarDate,
    periodEnd: calendarDate,
    payDate: calendarDate,
    currency: currencyCode,
    // Paying a run books its gross: a journal entry moves a positive amount.
    grossTotalMinor: minorUnits.min(1, 'must be at least 1'),
    employeeCount: z
      .number({ error: unlessMissing('must be a whole number of employees') })
      .int('must be a whole number of employees')
      .min(1, 'must be at least 1')
      .max(1_000_000, 'must be at most 1000000'),
  })
  .superRefine((run, ctx) => {
    if (run.periodEnd < run.periodStart) {
      ctx.addIssue({
        code: 'custom',
        path: ['periodEnd'],
        message: 'must not be before periodStart',
      });
    }
    if (run.payDate < run.periodStart) {
      ctx.addIssue({
        code: 'custom',
        path: ['payDate'],
        message: 'must not be before periodStart',
      });
    }
  });
export type CreatePayrollRunInput = z.infer<typeof createPayrollRunInput>;

export const rejectPayrollRunInput = z.strictObject({ reason: reasonText });
export type RejectPayrollRunInput = z.infer<typeof rejectPayrollRunInput>;

export const cancelPayrollRunInput = z.strictObject({ reason: reasonText.optional() });
export type CancelPayrollRunInput = z.infer<typeof cancelPayrollRunInput>;
