/**
 * What a token may do, as OAuth scopes in its `scope` (or `scp`) claim. Each
 * route names the scopes that let a caller through (any one of them), and
 * API Gateway, the local gateway and the handler itself all check them.
 * Segregation of duties (who may approve whose run) is the domain's, on top.
 */
export const SCOPES = {
  payrollRead: 'payroll:read',
  /** Create, correct and cancel draft runs. */
  payrollPrepare: 'payroll:prepare',
  payrollSubmit: 'payroll:submit',
  /** Approve or reject a submitted run. */
  payrollApprove: 'payroll:approve',
  payrollPay: 'payroll:pay',
  ewaRead: 'ewa:read',
  ewaRequest: 'ewa:request',
  /** Approve or decline a request. */
  ewaApprove: 'ewa:approve',
  ewaDisburse: 'ewa:disburse',
  /** The tenant's books: account balances, entries, employees' outstanding advances. */
  ledgerRead: 'ledger:read',
  /** The operator's routes of the tenant's own outbox and history, and its audited retry. */
  operator: 'operator',
  /**
   * Operating the platform rather than one tenant: with it, the operator
   * routes take `?tenant=<id>` for any tenant, or `?tenant=*` for all.
   * Granted on its own, to the platform's own staff.
   */
  platform: 'platform',
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/** Every scope a tenant's user may hold; `operator` and `platform` are granted on their own. */
export const BUSINESS_SCOPES: readonly Scope[] = Object.values(SCOPES).filter(
  (scope) => scope !== SCOPES.operator && scope !== SCOPES.platform,
);
