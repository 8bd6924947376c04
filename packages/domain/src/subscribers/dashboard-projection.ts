import { eventCatalogue, SUBSCRIBERS } from '@auditflow/events';
import { createSubscriberHandler } from '@auditflow/subscriber';
import { Logger } from '@aws-lambda-powertools/logger';
import { applyToDashboard } from '../dashboard/projection';
import { writeUnit } from '../domain-write-unit';

const { name, eventTypes } = SUBSCRIBERS.dashboardProjection;
const logger = new Logger({ serviceName: name });

/** Keeps the tenant dashboard's read model up to date from every payroll and EWA event. */
export const dashboardProjection = createSubscriberHandler({
  name,
  catalogue: eventCatalogue,
  writeUnit,
  eventTypes,
  logger,
  async handle(event, unit) {
    const outcome = await applyToDashboard(unit.trx, event);
    if (outcome !== 'applied') {
      // Trust the database, not the message: nothing is projected.
      logger.error('event does not match its source row; dashboard unchanged', {
        outcome,
        aggregate: event.aggregate,
      });
    }
  },
});
