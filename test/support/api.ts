import { BUSINESS_SCOPES, loadHandler, routes } from '@auditflow/functions';
import { lambdaContext, matchRoute, toApiGatewayEvent } from '@auditflow/local';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface Caller {
  tenant: string;
  sub: string;
  /** The token's scopes; every business scope unless given. */
  scopes?: readonly string[];
}

export interface CallOptions {
  /** Verified claims to put where the JWT authorizer puts them; null for none. */
  as?: Caller | null;
  /** Raw claims, overriding `as` (to test malformed claims). */
  claims?: Record<string, unknown>;
  body?: unknown;
  /** A raw body string, sent as is (malformed JSON, huge bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
  query?: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields freely
  body: any;
}

/**
 * Calls the deployed handler of `METHOD /path` in-process with the API
 * Gateway v2 event AWS would send: the route comes from the same manifest
 * sst.config.ts deploys, the claims from `as`.
 */
export async function call(
  method: string,
  requestPath: string,
  options: CallOptions = {},
): Promise<ApiResponse> {
  const [pathname, inlineQuery] = requestPath.split('?');
  const match = matchRoute(routes, method, pathname ?? '/');
  if (!match) throw new Error(`no route for ${method} ${requestPath}`);
  const body =
    options.rawBody !== undefined
      ? Buffer.from(options.rawBody)
      : options.body !== undefined
        ? Buffer.from(JSON.stringify(options.body))
        : undefined;
  const headers: Record<string, string> = {
    host: 'api.example.test',
    ...(body !== undefined && { 'content-type': 'application/json' }),
    ...lowerCase(options.headers ?? {}),
  };
  const caller = options.as === undefined ? { tenant: 'tenant-a', sub: 'alice' } : options.as;
  const claims =
    options.claims ??
    (caller
      ? {
          tenant_id: caller.tenant,
          sub: caller.sub,
          scope: (caller.scopes ?? BUSINESS_SCOPES).join(' '),
        }
      : undefined);
  const event = toApiGatewayEvent(
    {
      method,
      path: pathname ?? '/',
      rawQueryString: options.query ?? inlineQuery ?? '',
      headers,
      body,
      sourceIp: '127.0.0.1',
    },
    { routeKey: `${match.route.method} ${match.route.path}`, pathParameters: match.pathParameters },
    claims,
  );
  const handler = await loadHandler<
    (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>
  >(match.route.handler);
  const result = await handler(event, lambdaContext(match.route.handler));
  const responseHeaders = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  return {
    status: result.statusCode ?? 200,
    headers: responseHeaders,
    body: result.body ? JSON.parse(result.body) : undefined,
  };
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

export const aPayrollRun = {
  periodStart: '2026-11-01',
  periodEnd: '2026-11-30',
  payDate: '2026-12-01',
  currency: 'EUR',
  grossTotalMinor: 1234500,
  employeeCount: 12,
};

export const anEwaRequest = {
  employeeId: 'emp-1',
  amountMinor: 20000,
  currency: 'EUR',
  periodStart: '2026-11-01',
  periodEnd: '2026-11-30',
};
