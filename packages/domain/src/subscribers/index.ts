export { DASHBOARD_SUBSCRIBER, dashboardProjection } from './dashboard-projection';
export { SETTLE_SUBSCRIBER, settleEwaOnRunPaid } from './settle-ewa-on-run-paid';
