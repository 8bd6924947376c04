import { AppError } from '@auditflow/core';
import type { eventCatalogue, MoneyMovingEventType } from '@auditflow/events';
import type { SubscribedEvent } from '@auditflow/subscriber';
import type { WriteBatch } from '@auditflow/write-unit';
import { settleEwaRequest } from '../ewa-requests/commands';
import { findPaidRunCovering } from '../ewa-requests/settlement';

type Catalogue = typeof eventCatalogue;

/**
 * The catch-up of the settlement: an advance disbursed after its period's
 * run was paid missed that run's `payroll.run_paid.v1`, so its own
 * `ewa.request_disbursed.v1` settles it against the paid run. Period and
 * currency come from the request's row, never the message, and only a
 * request still DISBURSED is settled (a redelivery, or the run's event
 * settling it first, leaves nothing to do). Runs in the subscriber's batch,
 * with its inbox row.
 */
export async function settleLateDisbursement(
  event: SubscribedEvent<Catalogue, 'ewa.request_disbursed.v1'>,
  unit: WriteBatch<Catalogue, MoneyMovingEventType>,
  actor: string,
): Promise<void> {
  const request = await unit.trx
    .selectFrom('ewa_requests')
    .select(['id', 'currency', 'period_start', 'period_end'])
    .where('id', '=', event.aggregate.id)
    .where('tenant_id', '=', event.tenantId)
    .where('status', '=', 'DISBURSED')
    .executeTakeFirst();
  if (!request) return;
  const runId = await findPaidRunCovering(unit.trx, {
    tenantId: event.tenantId,
    currency: request.currency,
    periodStart: request.period_start,
    periodEnd: request.period_end,
  });
  // Not paid yet: its run's paid event will settle this request.
  if (!runId) return;
  const ctx = {
    tenantId: event.tenantId,
    actor,
    correlationId: event.correlationId,
    causationId: event.id,
  };
  try {
    await settleEwaRequest.inBatch(unit, ctx, { id: request.id }, runId);
  } catch (error) {
    // Settled meanwhile by the run's own event: nothing left to do.
    if (error instanceof AppError && error.code === 'invalid_transition') return;
    throw error;
  }
}
