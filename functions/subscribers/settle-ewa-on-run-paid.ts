// Its own module, not the barrel: a function bundles only what its subscriber uses.
import { settleEwaOnRunPaid } from '@auditflow/domain/subscribers/settle-ewa-on-run-paid';

/**
 * EventBridge target for `payroll.run_paid.v1` (settles the period's disbursed EWA requests)
 * and `ewa.request_disbursed.v1` (settles an advance disbursed after its run was paid).
 */
export const handler = settleEwaOnRunPaid;
