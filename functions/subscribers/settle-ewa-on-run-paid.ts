import { settleEwaOnRunPaid } from '@auditflow/domain/subscribers';

/**
 * EventBridge target for `payroll.run_paid.v1` (settles the period's disbursed EWA requests)
 * and `ewa.request_disbursed.v1` (settles an advance disbursed after its run was paid).
 */
export const handler = settleEwaOnRunPaid;
