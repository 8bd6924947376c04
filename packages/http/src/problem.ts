import { AppError, type ErrorKind } from '@auditflow/core';
import { isDatabaseUnavailable } from '@auditflow/db';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from './logger';

/** The one place where error kinds become HTTP statuses. */
const STATUS_BY_KIND: Record<ErrorKind, { status: number; title: string }> = {
  bad_request: { status: 400, title: 'Bad Request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not Found' },
  conflict: { status: 409, title: 'Conflict' },
  precondition_failed: { status: 412, title: 'Precondition Failed' },
  payload_too_large: { status: 413, title: 'Content Too Large' },
  unsupported_media_type: { status: 415, title: 'Unsupported Media Type' },
  unprocessable: { status: 422, title: 'Unprocessable Content' },
  unavailable: { status: 503, title: 'Service Unavailable' },
};

/** Seconds a client is asked to wait before sending a 503'd request again. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * Renders an error as RFC 9457 `application/problem+json`. An AppError shows
 * its code, message and field issues. A lost or unreachable database is
 * `database_unavailable` (503, with Retry-After): the request was not the
 * problem and may be sent again. Anything else is logged with its stack and
 * shown only as `internal_error`, so no internals reach the client.
 */
export function problemResponse(
  caught: unknown,
  request: { path: string; correlationId: string },
): APIGatewayProxyStructuredResultV2 {
  const error = asAppError(caught);
  if (error instanceof AppError) {
    const { status, title } = STATUS_BY_KIND[error.kind];
    if (error.kind === 'unavailable') {
      logger.warn('request failed: database unavailable', {
        code: error.code,
        error: String(error.cause ?? error.message),
      });
    }
    return problem(status, {
      type: `urn:auditflow:problem:${error.code}`,
      title,
      status,
      detail: error.message,
      code: error.code,
      instance: request.path,
      correlationId: request.correlationId,
      ...(error.issues && {
        errors: error.issues.map((issue) => ({
          path: issue.path.join('.'),
          message: issue.message,
        })),
      }),
    });
  }
  logger.error('request failed', error instanceof Error ? error : { error: String(error) });
  return problem(500, {
    type: 'urn:auditflow:problem:internal_error',
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong on our side. Quote the correlation id when you report it.',
    code: 'internal_error',
    instance: request.path,
    correlationId: request.correlationId,
  });
}

/** Connection failures become `database_unavailable`, whichever statement they broke. */
function asAppError(error: unknown): unknown {
  if (error instanceof AppError || !isDatabaseUnavailable(error)) return error;
  return new AppError(
    'database_unavailable',
    'The database is unavailable; nothing was written. Send the request again shortly.',
    { cause: error },
  );
}

function problem(status: number, body: Record<string, unknown>): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/problem+json',
      ...(status === 503 && { 'retry-after': String(RETRY_AFTER_SECONDS) }),
    },
    body: JSON.stringify(body),
  };
}
