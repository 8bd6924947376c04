// Its own module, not the barrel: a function bundles only what its subscriber uses.
import { dashboardProjection } from '@auditflow/domain/subscribers/dashboard-projection';

/** EventBridge target for every payroll and EWA event: keeps the dashboard's read model. */
export const handler = dashboardProjection;
