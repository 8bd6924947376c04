import { dashboardProjection } from '@auditflow/domain/subscribers';

/** EventBridge target for every payroll and EWA event: keeps the dashboard's read model. */
export const handler = dashboardProjection;
