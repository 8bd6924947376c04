import type { PayrollRunRow } from '@auditflow/db';

/** The public representation of a payroll run: camelCase, no tenant id. */
export function presentPayrollRun(run: PayrollRunRow) {
  return {
    id: run.id,
    status: run.status,
    version: run.version,
    periodStart: run.period_start,
    periodEnd: run.period_end,
    payDate: run.pay_date,
    currency: run.currency,
    grossTotalMinor: run.gross_total_minor,
    employeeCount: run.employee_count,
    createdBy: run.created_by,
    submittedBy: run.submitted_by,
    approvedBy: run.approved_by,
    paidBy: run.paid_by,
    rejectionReason: run.rejection_reason,
    cancellationReason: run.cancellation_reason,
    createdAt: run.created_at,
    updatedAt: run.updated_at,
  };
}

export type PayrollRunResource = ReturnType<typeof presentPayrollRun>;
