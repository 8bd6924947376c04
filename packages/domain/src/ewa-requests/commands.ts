import { AppError } from '@auditflow/core';
import type { DB, EwaRequestRow } from '@auditflow/db';
import type { CommandContext } from '@auditflow/write-unit';
import type { Kysely } from 'kysely';
import { writeUnit } from '../domain-write-unit';
import { bookings } from '../ledger/bookings';
import { defineTransition } from '../shared/transition';
import { ewaRequests } from './aggregate';
import type { CreateEwaRequestInput, DeclineEwaRequestInput } from './inputs';
import { ewaRequestLifecycle } from './state-machine';

const figures = (request: EwaRequestRow) => ({
  employeeId: request.employee_id,
  amountMinor: request.amount_minor,
  currency: request.currency,
  periodStart: request.period_start,
  periodEnd: request.period_end,
});

/** Creates an EWA request in REQUESTED. */
export function createEwaRequest(
  db: Kysely<DB>,
  ctx: CommandContext,
  input: CreateEwaRequestInput,
) {
  return writeUnit.create(db, ctx, ewaRequests, () => ({
    status: 'REQUESTED',
    fields: {
      employee_id: input.employeeId,
      amount_minor: input.amountMinor,
      currency: input.currency,
      period_start: input.periodStart,
      period_end: input.periodEnd,
      created_by: ctx.actor,
    },
    audit: { action: 'EwaRequestCreated' },
    event: { type: 'ewa.request_created.v1', data: input },
  }));
}

/** REQUESTED -> APPROVED, by someone other than who requested it (403 otherwise). */
export const approveEwaRequest = defineTransition(
  ewaRequestLifecycle,
  'approve',
  (request, ctx) => {
    if (request.created_by === ctx.actor) {
      throw new AppError(
        'segregation_of_duties',
        'The person who requested an EWA payout cannot approve it.',
      );
    }
    return {
      fields: { approved_by: ctx.actor },
      audit: { action: 'EwaRequestApproved' },
      event: {
        type: 'ewa.request_approved.v1',
        data: { approvedBy: ctx.actor, ...figures(request) },
      },
    };
  },
);

/** REQUESTED -> DECLINED, with a reason. */
export const declineEwaRequest = defineTransition(
  ewaRequestLifecycle,
  'decline',
  (_request, ctx, input: DeclineEwaRequestInput) => ({
    fields: { decline_reason: input.reason },
    audit: { action: 'EwaRequestDeclined' },
    event: {
      type: 'ewa.request_declined.v1',
      data: { declinedBy: ctx.actor, reason: input.reason },
    },
  }),
);

/**
 * APPROVED -> DISBURSED: the money has gone out to the employee, booked as
 * their receivable. Not by who requested it (403): nobody pays out their own
 * request. 409 `limit_exceeded` when it would take the employee's
 * outstanding advances past the tenant's limit (the database decides, under
 * the receivable's row lock, so concurrent disbursements cannot overshoot).
 */
export const disburseEwaRequest = defineTransition(
  ewaRequestLifecycle,
  'disburse',
  (request, ctx) => {
    if (request.created_by === ctx.actor) {
      throw new AppError(
        'segregation_of_duties',
        'The person who requested an EWA payout cannot disburse it.',
      );
    }
    return {
      fields: { disbursed_by: ctx.actor },
      audit: { action: 'EwaRequestDisbursed' },
      event: {
        type: 'ewa.request_disbursed.v1',
        data: { disbursedBy: ctx.actor, ...figures(request) },
      },
      entry: bookings.advanceDisbursed(request),
    };
  },
);

/**
 * DISBURSED -> SETTLED: the payroll run that covers the request's period was
 * paid, so the advance is recovered from its net pay (and booked so). The subscriber runs it inside its batch
 * (`settleEwaRequest.inBatch`).
 */
export const settleEwaRequest = defineTransition(
  ewaRequestLifecycle,
  'settle',
  (request, _ctx, runId: string) => ({
    fields: { settled_by_run_id: runId },
    audit: { action: 'EwaRequestSettled' },
    event: { type: 'ewa.request_settled.v1', data: { settledByRunId: runId, ...figures(request) } },
    entry: bookings.advanceSettled(request, runId),
  }),
);
