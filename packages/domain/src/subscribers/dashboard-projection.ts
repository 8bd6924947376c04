import { eventCatalogue } from '@auditflow/events';
import { createSubscriberHandler } from '@auditflow/subscriber';
import { Logger } from '@aws-lambda-powertools/logger';
import { applyToDashboard } from '../dashboard/projection';
import { writeUnit } from '../domain-write-unit';

export const DASHBOARD_SUBSCRIBER = 'dashboard-projection';

/** Keeps the tenant dashboard's read model up to date from every payroll and EWA event. */
export const dashboardProjection = createSubscriberHandler({
  name: DASHBOARD_SUBSCRIBER,
  catalogue: eventCatalogue,
  writeUnit,
  eventTypes: [
    'payroll.run_created.v1',
    'payroll.run_submitted.v1',
    'payroll.run_approved.v1',
    'payroll.run_rejected.v1',
    'payroll.run_paid.v1',
    'payroll.run_cancelled.v1',
    'ewa.request_created.v1',
    'ewa.request_approved.v1',
    'ewa.request_declined.v1',
    'ewa.request_disbursed.v1',
    'ewa.request_settled.v1',
  ],
  logger: new Logger({ serviceName: DASHBOARD_SUBSCRIBER }),
  async handle(event, unit) {
    await applyToDashboard(unit.trx, { ...event, data: event.data as Record<string, unknown> });
  },
});
