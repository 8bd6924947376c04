export { dashboardProjection } from './dashboard-projection';
export { settleEwaOnRunPaid } from './settle-ewa-on-run-paid';
export { storeAuditCheckpoints } from './store-audit-checkpoints';
