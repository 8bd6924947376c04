import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger, powertoolsLogger, withInvocationKeys } from './logger';
import { problemResponse } from './problem';
import { type ApiEvent, correlationIdOf } from './request';

export type ApiResult = APIGatewayProxyStructuredResultV2;
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/**
 * Wraps a route's logic in the Lambda handler stack: Powertools logging with
 * the request's correlation id on every line, and every error rendered as
 * problem+json (the only path from an exception to a response).
 */
export function apiHandler(
  handle: (event: ApiEvent, request: { correlationId: string }) => Promise<ApiResult>,
): ApiHandler {
  return middy<ApiEvent, ApiResult>()
    .use(injectLambdaContext(powertoolsLogger, { resetKeys: true }))
    .handler((event, context) =>
      withInvocationKeys(context, () => handleRequest(event, handle)),
    ) as unknown as ApiHandler;
}

async function handleRequest(
  event: ApiEvent,
  handle: (event: ApiEvent, request: { correlationId: string }) => Promise<ApiResult>,
): Promise<ApiResult> {
  const startedAt = performance.now();
  const correlationId = correlationIdOf(event);
  logger.appendKeys({ correlationId, routeKey: event.routeKey });
  let response: ApiResult;
  try {
    response = await handle(event, { correlationId });
  } catch (error) {
    response = problemResponse(error, { path: event.rawPath, correlationId });
  }
  response.headers = { ...response.headers, 'x-correlation-id': correlationId };
  logger.info('request handled', {
    method: event.requestContext.http.method,
    path: event.rawPath,
    status: response.statusCode,
    durationMs: Math.round(performance.now() - startedAt),
  });
  return response;
}

/** A JSON response; `version` also becomes the ETag, for If-Match on the next command. */
export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): ApiResult {
  const version = (body as { version?: unknown } | null)?.version;
  return {
    statusCode,
    headers: {
      'content-type': 'application/json',
      ...(typeof version === 'number' && { etag: `"${version}"` }),
      ...headers,
    },
    body: JSON.stringify(body),
  };
}
