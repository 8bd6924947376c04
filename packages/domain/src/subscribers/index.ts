export { dashboardProjection } from './dashboard-projection';
export { settleEwaOnRunPaid } from './settle-ewa-on-run-paid';
