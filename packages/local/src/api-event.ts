import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { tokenScopes } from './token-scopes';

export interface IncomingRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  rawQueryString: string;
  /** Header names in lower case; repeated headers joined with commas. */
  headers: Record<string, string>;
  body: Buffer | undefined;
  sourceIp: string;
}

export type JwtClaims = Record<string, unknown>;

const TEXT_TYPES = /^(application\/([a-z.+-]+\+)?json|text\/|application\/x-www-form-urlencoded)/i;

/**
 * Builds the API Gateway HTTP API (payload 2.0) event for a request, as AWS
 * hands it to a Lambda: verified JWT claims under
 * `requestContext.authorizer.jwt.claims` (values as strings, as the JWT
 * authorizer passes them), query parameters with repeated keys comma-joined,
 * and non-text bodies base64-encoded.
 */
export function toApiGatewayEvent(
  request: IncomingRequest,
  route: { routeKey: string; pathParameters: Record<string, string> },
  claims: JwtClaims | undefined,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const now = new Date();
  const isText = TEXT_TYPES.test(request.headers['content-type'] ?? 'application/json');
  const event = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: request.path,
    rawQueryString: request.rawQueryString,
    headers: request.headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: request.headers.host ?? 'localhost',
      domainPrefix: (request.headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
      ...(claims && {
        authorizer: {
          principalId: '',
          integrationLatency: 0,
          jwt: { claims: stringifyClaims(claims), scopes: tokenScopes(claims) },
        },
      }),
    },
    isBase64Encoded: request.body !== undefined && !isText,
    ...(request.rawQueryString && { queryStringParameters: parseQuery(request.rawQueryString) }),
    ...(Object.keys(route.pathParameters).length > 0 && { pathParameters: route.pathParameters }),
    ...(request.body !== undefined && {
      body: isText ? request.body.toString('utf8') : request.body.toString('base64'),
    }),
  };
  return event as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/** A Map, not an object: keys like `__proto__` or `constructor` stay plain keys, as in AWS. */
function parseQuery(rawQueryString: string): Record<string, string> {
  const parameters = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    const previous = parameters.get(key);
    parameters.set(key, previous === undefined ? value : `${previous},${value}`);
  }
  return Object.fromEntries(parameters);
}

function stringifyClaims(claims: JwtClaims): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    result[name] = Array.isArray(value)
      ? `[${value.join(' ')}]`
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  }
  return result;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time`: `23/Nov/2026:10:15:42 +0000`. */
function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(
    date.getUTCHours(),
  )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
