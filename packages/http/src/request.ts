import { AppError, type FieldIssue } from '@auditflow/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { z } from 'zod';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/** Request bodies larger than this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/**
 * Visible characters only: no separators (spaces), controls, format
 * characters (zero-width, bidirectional), surrogates, private-use or
 * unassigned code points. Two subs that look alike must be the same sub, or
 * segregation of duties could be passed with a look-alike.
 */
const VISIBLE = /^[^\p{Z}\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]{1,200}$/u;
/** Actors of this form are the subscribers' own (`subscriber:<name>`); no token may claim one. */
const RESERVED_ACTOR = /^subscriber:/i;
const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Tenant and actor, only from claims the JWT authorizer verified (never from
 * the body), both Unicode-normalised (NFC) so one person has one spelling.
 * Throws `unauthorized` when they are missing or malformed, or when the sub
 * claims a subscriber's actor.
 */
export function verifiedPrincipal(event: ApiEvent): { tenantId: string; actor: string } {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const tenantId = typeof claims.tenant_id === 'string' ? claims.tenant_id.normalize('NFC') : null;
  const actor = typeof claims.sub === 'string' ? claims.sub.normalize('NFC') : null;
  if (tenantId === null || !TENANT.test(tenantId)) {
    throw new AppError('unauthorized', 'The token carries no valid tenant_id claim.');
  }
  if (actor === null || !VISIBLE.test(actor) || RESERVED_ACTOR.test(actor)) {
    throw new AppError('unauthorized', 'The token carries no valid sub claim.');
  }
  return { tenantId, actor };
}

/** The caller's correlation id when it is well-formed, else API Gateway's request id. */
export function correlationIdOf(event: ApiEvent): string {
  const given = event.headers?.['x-correlation-id'];
  return given && CORRELATION_ID.test(given) ? given : event.requestContext.requestId;
}

/** `Idempotency-Key`, if sent. Throws `invalid_header` when it is not 1-255 visible ASCII characters. */
export function idempotencyKeyOf(event: ApiEvent): string | null {
  const key = event.headers?.['idempotency-key'];
  if (key === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw invalidHeader('Idempotency-Key', 'must be 1-255 visible ASCII characters');
  }
  return key;
}

/**
 * The version in `If-Match` (`3`, `"3"` or `W/"3"`), null when absent or `*`.
 * Throws `invalid_header` when it is anything else.
 */
export function expectedVersionOf(event: ApiEvent): number | null {
  const header = event.headers?.['if-match']?.trim();
  if (header === undefined || header === '*') return null;
  const match = /^(?:W\/)?"?([1-9][0-9]{0,8})"?$/.exec(header);
  if (!match?.[1]) throw invalidHeader('If-Match', 'must be a version number, e.g. "3"');
  return Number(match[1]);
}

/**
 * The JSON body validated by `schema`; an absent body counts as `{}`.
 * Throws `payload_too_large`, `unsupported_media_type`, `malformed_json` or
 * `validation_failed` (with a path per invalid field).
 */
export function parseBody<S extends z.ZodType>(event: ApiEvent, schema: S): z.output<S> {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new AppError('payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
  let json: unknown = {};
  if (text.trim() !== '') {
    const contentType = event.headers?.['content-type'] ?? '';
    if (!/^application\/([a-z.+-]+\+)?json\s*(;|$)/i.test(contentType)) {
      throw new AppError('unsupported_media_type', 'Send the body as application/json.');
    }
    try {
      json = JSON.parse(text);
    } catch {
      throw new AppError('malformed_json', 'The body is not valid JSON.');
    }
  }
  return validate(schema, json, 'body');
}

/** The query string validated by `schema` (values are strings; repeated keys arrive comma-joined). */
export function parseQuery<S extends z.ZodType>(event: ApiEvent, schema: S): z.output<S> {
  return validate(schema, event.queryStringParameters ?? {}, 'query');
}

/** The path parameters validated by `schema`; errors name `path.<parameter>`. */
export function parsePath<S extends z.ZodType>(event: ApiEvent, schema: S): z.output<S> {
  return validate(schema, event.pathParameters ?? {}, 'path');
}

/** The `{id}` path parameter; a route without one is a wiring bug. */
export function pathId(event: ApiEvent): string {
  const id = event.pathParameters?.id;
  if (!id) throw new Error('route has no {id} path parameter');
  return id;
}

function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues: FieldIssue[] = parsed.error.issues.flatMap((issue) => {
    const base = [
      where,
      ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
    ];
    // An unknown field is reported at its own path, not at its parent's.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...base, key], message: 'is not a known field' }));
    }
    return [{ path: base, message: issue.message }];
  });
  throw new AppError('validation_failed', `Invalid ${where}`, { issues });
}

function invalidHeader(name: string, why: string): AppError {
  return new AppError('invalid_header', `${name} ${why}.`, {
    issues: [{ path: ['headers', name.toLowerCase()], message: why }],
  });
}
