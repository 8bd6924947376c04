import { AppError } from '@auditflow/core';
import { eventCatalogue, SUBSCRIBERS } from '@auditflow/events';
import { createSubscriberHandler } from '@auditflow/subscriber';
import { Logger } from '@aws-lambda-powertools/logger';
import { writeUnit } from '../domain-write-unit';
import { settleEwaRequest } from '../ewa-requests/commands';
import { findSettleableRequests } from '../ewa-requests/settlement';
import { settleLateDisbursement } from './settle-late-disbursement';

const { name, eventTypes } = SUBSCRIBERS.settleEwaOnRunPaid;
const logger = new Logger({ serviceName: name });

/**
 * On `payroll.run_paid.v1`: every DISBURSED EWA request of the run's tenant,
 * currency and pay period moves to SETTLED through the write unit, each with
 * its audit row and `ewa.request_settled.v1`, caused by the run's event. The
 * inbox row commits with the settlements, so a redelivery settles nothing
 * twice. On `ewa.request_disbursed.v1`, the catch-up: an advance disbursed
 * after its run was paid is settled then (settleLateDisbursement).
 */
export const settleEwaOnRunPaid = createSubscriberHandler({
  name,
  catalogue: eventCatalogue,
  writeUnit,
  eventTypes,
  logger,
  async handle(event, unit) {
    if (event.type === 'ewa.request_disbursed.v1') {
      return settleLateDisbursement(event, unit, `subscriber:${name}`);
    }
    // Trust the database, not the message: only a run that really is PAID
    // settles anything (anything that may write to the bus could send this),
    // and what it settles is its own currency and period, as its row says.
    const paid = await unit.trx
      .selectFrom('payroll_runs')
      .select(['id', 'currency', 'period_start', 'period_end'])
      .where('id', '=', event.aggregate.id)
      .where('tenant_id', '=', event.tenantId)
      .where('status', '=', 'PAID')
      .executeTakeFirst();
    if (!paid) {
      logger.error('run_paid event for a run that is not paid; nothing settled', {
        runId: event.aggregate.id,
      });
      return;
    }
    const ids = await findSettleableRequests(unit.trx, {
      tenantId: event.tenantId,
      currency: paid.currency,
      periodStart: paid.period_start,
      periodEnd: paid.period_end,
    });
    const ctx = {
      tenantId: event.tenantId,
      actor: `subscriber:${name}`,
      correlationId: event.correlationId,
      causationId: event.id,
    };
    for (const id of ids) {
      try {
        await settleEwaRequest.inBatch(unit, ctx, { id }, event.aggregate.id);
      } catch (error) {
        // Settled meanwhile by another run's event: nothing left to do for it.
        if (error instanceof AppError && error.code === 'invalid_transition') continue;
        throw error;
      }
    }
  },
});
