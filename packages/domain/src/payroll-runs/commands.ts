import { AppError } from '@auditflow/core';
import type { DB } from '@auditflow/db';
import type { CommandContext } from '@auditflow/write-unit';
import type { Kysely } from 'kysely';
import { writeUnit } from '../domain-write-unit';
import { bookings } from '../ledger/bookings';
import { defineTransition } from '../shared/transition';
import { payrollRuns } from './aggregate';
import type { CancelPayrollRunInput, CreatePayrollRunInput, RejectPayrollRunInput } from './inputs';
import { payrollRunLifecycle } from './state-machine';

/** Creates a payroll run in DRAFT. */
export function createPayrollRun(
  db: Kysely<DB>,
  ctx: CommandContext,
  input: CreatePayrollRunInput,
) {
  return writeUnit.create(db, ctx, payrollRuns, () => ({
    status: 'DRAFT',
    fields: {
      period_start: input.periodStart,
      period_end: input.periodEnd,
      pay_date: input.payDate,
      currency: input.currency,
      gross_total_minor: input.grossTotalMinor,
      employee_count: input.employeeCount,
      created_by: ctx.actor,
    },
    audit: { action: 'PayrollRunCreated' },
    event: { type: 'payroll.run_created.v1', data: input },
  }));
}

/** DRAFT -> SUBMITTED; records who submitted, for segregation of duties. */
export const submitPayrollRun = defineTransition(payrollRunLifecycle, 'submit', (_run, ctx) => ({
  fields: { submitted_by: ctx.actor, rejection_reason: null },
  audit: { action: 'PayrollRunSubmitted' },
  event: { type: 'payroll.run_submitted.v1', data: { submittedBy: ctx.actor } },
}));

/**
 * SUBMITTED -> APPROVED, by someone who neither created nor submitted the run
 * (403 otherwise): four eyes between preparing the money and releasing it.
 */
export const approvePayrollRun = defineTransition(payrollRunLifecycle, 'approve', (run, ctx) => {
  if (run.submitted_by === ctx.actor || run.created_by === ctx.actor) {
    throw new AppError(
      'segregation_of_duties',
      'The person who created or submitted a payroll run cannot approve it.',
    );
  }
  return {
    fields: { approved_by: ctx.actor },
    audit: { action: 'PayrollRunApproved' },
    event: {
      type: 'payroll.run_approved.v1',
      data: {
        approvedBy: ctx.actor,
        currency: run.currency,
        grossTotalMinor: run.gross_total_minor,
      },
    },
  };
});

/** SUBMITTED -> DRAFT with a reason; the run can be corrected and submitted again. */
export const rejectPayrollRun = defineTransition(
  payrollRunLifecycle,
  'reject',
  (_run, ctx, input: RejectPayrollRunInput) => ({
    fields: { rejection_reason: input.reason, submitted_by: null },
    audit: { action: 'PayrollRunRejected' },
    event: {
      type: 'payroll.run_rejected.v1',
      data: { rejectedBy: ctx.actor, reason: input.reason },
    },
  }),
);

/** APPROVED -> PAID: the gross wages are booked as paid from funding cash. */
export const markPayrollRunPaid = defineTransition(
  payrollRunLifecycle,
  'mark-paid',
  (run, ctx) => ({
    fields: { paid_by: ctx.actor },
    audit: { action: 'PayrollRunPaid' },
    event: {
      type: 'payroll.run_paid.v1',
      data: {
        paidBy: ctx.actor,
        periodStart: run.period_start,
        periodEnd: run.period_end,
        payDate: run.pay_date,
        currency: run.currency,
        grossTotalMinor: run.gross_total_minor,
        employeeCount: run.employee_count,
      },
    },
    entry: bookings.runPaid(run),
  }),
);

/** DRAFT or SUBMITTED -> CANCELLED, with an optional reason. */
export const cancelPayrollRun = defineTransition(
  payrollRunLifecycle,
  'cancel',
  (run, ctx, input: CancelPayrollRunInput) => {
    const previousStatus = run.status === 'DRAFT' ? 'DRAFT' : 'SUBMITTED';
    return {
      fields: { cancellation_reason: input.reason ?? null },
      audit: { action: 'PayrollRunCancelled' },
      event: {
        type: 'payroll.run_cancelled.v1',
        data: { cancelledBy: ctx.actor, previousStatus, reason: input.reason ?? null },
      },
    };
  },
);
