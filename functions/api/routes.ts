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
}

const route = (
  method: RouteDefinition['method'],
  path: string,
  file: string,
  auth = true,
): RouteDefinition => ({ method, path, handler: `functions/api/${file}.handler`, auth });

export const routes: readonly RouteDefinition[] = [
  route('GET', '/health', 'health', false),
  route('GET', '/dashboard', 'dashboard'),

  route('POST', '/payroll-runs', 'payroll-runs/create'),
  route('GET', '/payroll-runs', 'payroll-runs/list'),
  route('GET', '/payroll-runs/{id}', 'payroll-runs/get'),
  route('GET', '/payroll-runs/{id}/history', 'payroll-runs/history'),
  route('POST', '/payroll-runs/{id}/submit', 'payroll-runs/submit'),
  route('POST', '/payroll-runs/{id}/approve', 'payroll-runs/approve'),
  route('POST', '/payroll-runs/{id}/reject', 'payroll-runs/reject'),
  route('POST', '/payroll-runs/{id}/mark-paid', 'payroll-runs/mark-paid'),
  route('POST', '/payroll-runs/{id}/cancel', 'payroll-runs/cancel'),

  route('POST', '/ewa-requests', 'ewa-requests/create'),
  route('GET', '/ewa-requests', 'ewa-requests/list'),
  route('GET', '/ewa-requests/{id}', 'ewa-requests/get'),
  route('GET', '/ewa-requests/{id}/history', 'ewa-requests/history'),
  route('POST', '/ewa-requests/{id}/approve', 'ewa-requests/approve'),
  route('POST', '/ewa-requests/{id}/decline', 'ewa-requests/decline'),
  route('POST', '/ewa-requests/{id}/disburse', 'ewa-requests/disburse'),
];
