import { eventCatalogue } from '@auditflow/events';
import { createSubscriberHandler } from '@auditflow/outbox/subscriber-handler';
import { Logger } from '@aws-lambda-powertools/logger';
import { settleEwaRequest } from '../ewa-requests/commands';
import { findSettleableRequests } from '../ewa-requests/settlement';
import { writeUnit } from '../write-unit';

export const SETTLE_SUBSCRIBER = 'settle-ewa-on-run-paid';

/**
 * On `payroll.run_paid.v1`: every DISBURSED EWA request of the run's tenant,
 * currency and pay period moves to SETTLED through the write unit, each with
 * its audit row and `ewa.request_settled.v1`, caused by the run's event. The
 * inbox row commits with the settlements, so a redelivery settles nothing
 * twice.
 */
export const settleEwaOnRunPaid = createSubscriberHandler({
  name: SETTLE_SUBSCRIBER,
  catalogue: eventCatalogue,
  writeUnit,
  eventTypes: ['payroll.run_paid.v1'],
  logger: new Logger({ serviceName: SETTLE_SUBSCRIBER }),
  async handle(event, unit) {
    const run = event.data;
    const ids = await findSettleableRequests(unit.trx, {
      tenantId: event.tenantId,
      currency: run.currency,
      periodStart: run.periodStart,
      periodEnd: run.periodEnd,
    });
    const ctx = {
      tenantId: event.tenantId,
      actor: `subscriber:${SETTLE_SUBSCRIBER}`,
      correlationId: event.correlationId,
      causationId: event.id,
    };
    for (const id of ids) await settleEwaRequest(unit, ctx, id, event.aggregate.id);
  },
});
