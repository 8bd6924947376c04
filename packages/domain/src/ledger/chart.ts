import type { AccountRef } from '@auditflow/ledger';

/**
 * The chart of accounts, per tenant and currency; an account is opened the
 * first time an entry posts to it.
 *
 * - `funding-cash` (asset): the employer's money that pays wages and
 *   advances. Every disbursement and every run posts to it, so it keeps no
 *   running balance: its balance is the sum of its postings, and no writer
 *   locks or updates its row.
 * - `wages-expense` (expense): gross wages of paid runs.
 * - `ewa-receivable:<employee>` (asset): what one employee owes in advances
 *   not yet recovered from net pay. Limited (`ewa-receivable` class), so it
 *   keeps a running balance, and its row is what serialises that employee's
 *   disbursements, and only theirs.
 */
export const chart = {
  fundingCash: (currency: string): AccountRef => ({
    code: 'funding-cash',
    type: 'asset',
    currency,
  }),
  wagesExpense: (currency: string): AccountRef => ({
    code: 'wages-expense',
    type: 'expense',
    currency,
  }),
  ewaReceivable: (employeeId: string, currency: string): AccountRef => ({
    code: ewaReceivableCode(employeeId),
    type: 'asset',
    currency,
  }),
};

/** The class every employee's receivable belongs to: its limit is this class's. */
export const EWA_RECEIVABLE_CLASS = 'ewa-receivable';

export const ewaReceivableCode = (employeeId: string): string =>
  `${EWA_RECEIVABLE_CLASS}:${employeeId}`;
