import { eventCatalogue, SUBSCRIBERS } from '@auditflow/events';
import { createSubscriberHandler } from '@auditflow/subscriber';
import { Logger } from '@aws-lambda-powertools/logger';
import { applyToDashboard } from '../dashboard/projection';
import { writeUnit } from '../domain-write-unit';

const { name, eventTypes } = SUBSCRIBERS.dashboardProjection;

/** Keeps the tenant dashboard's read model up to date from every payroll and EWA event. */
export const dashboardProjection = createSubscriberHandler({
  name,
  catalogue: eventCatalogue,
  writeUnit,
  eventTypes,
  logger: new Logger({ serviceName: name }),
  async handle(event, unit) {
    await applyToDashboard(unit.trx, { ...event, data: event.data as Record<string, unknown> });
  },
});
