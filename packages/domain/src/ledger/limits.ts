import type { DefaultLimit } from '@auditflow/ledger';
import { EWA_RECEIVABLE_CLASS } from './chart';

/**
 * The limits every tenant has unless it has its own (a `ledger_limits` row
 * of its tenant id, set by the owner): written to the database after
 * migrating, which enforces them as it posts. In the database, not in
 * configuration, because the database is what enforces them race-free (the
 * check runs under the receivable's row lock) and what tells every part the
 * same limit; a tenant's own limit is one row, changed without a deploy.
 *
 * An employee's outstanding advances, in any currency: 1,000.00 in a
 * two-decimal currency.
 */
export const DEFAULT_LEDGER_LIMITS: readonly DefaultLimit[] = [
  { accountClass: EWA_RECEIVABLE_CLASS, currency: '*', maxBalanceMinor: 100_000 },
];
