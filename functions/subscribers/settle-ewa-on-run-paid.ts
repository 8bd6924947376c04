import { settleEwaOnRunPaid } from '@auditflow/domain/subscribers';

/** EventBridge target for `payroll.run_paid.v1`: settles the period's disbursed EWA requests. */
export const handler = settleEwaOnRunPaid;
