import { SCOPES, type Scope } from './scopes';

/**
 * Every HTTP route, declared once: sst.config.ts gives each to API Gateway and
 * the local gateway serves the same list, so what runs locally is what deploys.
 * `handler` is the module path from the repository root plus the export name,
 * the form SST's `handler` option takes.
 */
export interface RouteDefinition {
  method: 'GET' | 'POST';
  /** API Gateway syntax: `{id}` is a path parameter. */
  path: string;
  handler: string;
  /** Whether the JWT authorizer guards the route. */
  auth: boolean;
  /** Scopes of which the token must carry at least one (empty for a public route). */
  scopes: readonly Scope[];
}

const route = (
  method: RouteDefinition['method'],
  path: string,
  file: string,
  scopes: readonly Scope[] | 'public',
): RouteDefinition => ({
  method,
  path,
  handler: `functions/api/${file}.handler`,
  auth: scopes !== 'public',
  scopes: scopes === 'public' ? [] : scopes,
});

const {
  payrollRead,
  payrollPrepare,
  payrollSubmit,
  payrollApprove,
  payrollPay,
  ewaRead,
  ewaRequest,
  ewaApprove,
  ewaDisburse,
  ledgerRead,
  operator,
  platform,
} = SCOPES;

/** An operator of one tenant, or of the platform (who also chooses the tenant: see scopes.ts). */
const operating = [operator, platform];

export const routes: readonly RouteDefinition[] = [
  route('GET', '/health', 'health', 'public'),
  route('GET', '/dashboard', 'dashboard', [payrollRead, ewaRead]),

  route('POST', '/payroll-runs', 'payroll-runs/create', [payrollPrepare]),
  route('GET', '/payroll-runs', 'payroll-runs/list', [payrollRead]),
  route('GET', '/payroll-runs/{id}', 'payroll-runs/get', [payrollRead]),
  route('GET', '/payroll-runs/{id}/history', 'payroll-runs/history', [payrollRead]),
  route('POST', '/payroll-runs/{id}/submit', 'payroll-runs/submit', [payrollSubmit]),
  route('POST', '/payroll-runs/{id}/approve', 'payroll-runs/approve', [payrollApprove]),
  route('POST', '/payroll-runs/{id}/reject', 'payroll-runs/reject', [payrollApprove]),
  route('POST', '/payroll-runs/{id}/mark-paid', 'payroll-runs/mark-paid', [payrollPay]),
  route('POST', '/payroll-runs/{id}/cancel', 'payroll-runs/cancel', [payrollPrepare]),

  route('POST', '/ewa-requests', 'ewa-requests/create', [ewaRequest]),
  route('GET', '/ewa-requests', 'ewa-requests/list', [ewaRead]),
  route('GET', '/ewa-requests/{id}', 'ewa-requests/get', [ewaRead]),
  route('GET', '/ewa-requests/{id}/history', 'ewa-requests/history', [ewaRead]),
  route('POST', '/ewa-requests/{id}/approve', 'ewa-requests/approve', [ewaApprove]),
  route('POST', '/ewa-requests/{id}/decline', 'ewa-requests/decline', [ewaApprove]),
  route('POST', '/ewa-requests/{id}/disburse', 'ewa-requests/disburse', [ewaDisburse]),

  route('GET', '/ledger/accounts', 'ledger/accounts', [ledgerRead]),
  route('GET', '/ledger/accounts/{code}/entries', 'ledger/account-entries', [ledgerRead]),
  route('GET', '/ledger/employees/{employeeId}/outstanding', 'ledger/employee-outstanding', [
    ledgerRead,
    ewaRead,
  ]),

  route('GET', '/operator/outbox', 'operator/outbox', operating),
  route('GET', '/operator/outbox/overview', 'operator/outbox-overview', operating),
  route('GET', '/operator/throughput', 'operator/throughput', operating),
  route('GET', '/operator/dead-events', 'operator/dead-events', operating),
  route('POST', '/operator/dead-events/{id}/retry', 'operator/retry-dead-event', operating),
  route('GET', '/operator/timeline', 'operator/timeline', operating),
  route('GET', '/operator/audit-export', 'operator/audit-export', operating),
  route('GET', '/operator/reconcile', 'operator/reconcile', operating),
];
