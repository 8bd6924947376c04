import { AppError, type ErrorKind } from '@auditflow/core';
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
};

/**
 * Renders an error as RFC 9457 `application/problem+json`. An AppError shows
 * its code, message and field issues; anything else is logged with its stack
 * and shown only as `internal_error`, so no internals reach the client.
 */
export function problemResponse(
  error: unknown,
  request: { path: string; correlationId: string },
): APIGatewayProxyStructuredResultV2 {
  if (error instanceof AppError) {
    const { status, title } = STATUS_BY_KIND[error.kind];
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
  logger.error('request failed', error instanceof Error ? error : String(error));
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

function problem(status: number, body: Record<string, unknown>): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify(body),
  };
}
