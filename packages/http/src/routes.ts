import { createHash } from 'node:crypto';
import { AppError, emptyObject, type FieldIssue } from '@auditflow/core';
import { type DB, getDb } from '@auditflow/db';
import type { CommandContext, WriteResult } from '@auditflow/write-unit';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type ApiHandler, apiHandler, json } from './api-handler';
import { authorizedPrincipal, grantedScopes } from './authorize';
import { logger } from './logger';
import {
  type ApiEvent,
  expectedVersionOf,
  idempotencyKeyOf,
  parseBody,
  parsePath,
  parseQuery,
  pathId,
} from './request';

/** Who calls, and every scope the token carries (for routes whose answer depends on one). */
type Principal = { tenantId: string; actor: string; scopes: ReadonlySet<string> };

/** A read of a collection: validated query, answered 200 with what `run` returns. */
export function queryRoute<Q extends z.ZodType>(spec: {
  /** Any one of them lets a caller through; the route manifest lists the same. */
  scopes: readonly string[];
  query: Q;
  run: (db: Kysely<DB>, principal: Principal, query: z.output<Q>) => Promise<unknown>;
}): ApiHandler {
  return apiHandler(async (event) => {
    const principal = { ...authorizedPrincipal(event, spec.scopes), scopes: grantedScopes(event) };
    const query = parseQuery(event, spec.query);
    return json(200, await spec.run(getDb(), principal, query));
  });
}

/**
 * A read under a named path parameter (`/ledger/accounts/{code}/entries`):
 * validated parameter and query, answered 200 with what `run` returns.
 */
export function resourceQueryRoute<P extends z.ZodType, Q extends z.ZodType>(spec: {
  scopes: readonly string[];
  param: { name: string; schema: P };
  query: Q;
  run: (
    db: Kysely<DB>,
    principal: Principal,
    param: z.output<P>,
    query: z.output<Q>,
  ) => Promise<unknown>;
}): ApiHandler {
  return apiHandler(async (event) => {
    const principal = { ...authorizedPrincipal(event, spec.scopes), scopes: grantedScopes(event) };
    // Both are checked before either is refused, so one answer names every bad field.
    const { name } = spec.param;
    const param = attemptParse(
      () => parsePath(event, z.strictObject({ [name]: spec.param.schema }))[name] as z.output<P>,
    );
    const query = attemptParse(() => parseQuery(event, spec.query));
    const issues = [...param.issues, ...query.issues];
    if (issues.length > 0) throw new AppError('validation_failed', 'Invalid request', { issues });
    return json(200, await spec.run(getDb(), principal, param.value, query.value));
  });
}

/** A read of one `{id}`, answered 200 with what `run` returns; it takes no query parameters. */
export function itemRoute(spec: {
  scopes: readonly string[];
  run: (db: Kysely<DB>, principal: Principal, id: string) => Promise<unknown>;
}): ApiHandler {
  return apiHandler(async (event) => {
    const principal = { ...authorizedPrincipal(event, spec.scopes), scopes: grantedScopes(event) };
    parseQuery(event, emptyObject);
    return json(200, await spec.run(getDb(), principal, pathId(event)));
  });
}

/** `POST /<collection>`: creates an aggregate, answers 201 with it and its Location. */
export function createRoute<B extends z.ZodType, Row extends { id: string }>(spec: {
  scopes: readonly string[];
  body: B;
  run: (db: Kysely<DB>, ctx: CommandContext, input: z.output<B>) => Promise<WriteResult<Row>>;
  present: (row: Row) => unknown;
}): ApiHandler {
  return apiHandler(async (event, { correlationId }) => {
    const caller = callerOf(event, spec.scopes, correlationId);
    const input = parseBody(event, spec.body);
    const result = await spec.run(getDb(), commandContext(caller, event, input), input);
    logWrite(result);
    return json(201, spec.present(result.state), {
      location: `${event.rawPath.replace(/\/$/, '')}/${result.state.id}`,
      ...replayHeader(result),
    });
  });
}

/** `POST /<collection>/{id}/<command>`: applies a command, answers 200 with the new state. */
export function commandRoute<B extends z.ZodType, Row>(spec: {
  scopes: readonly string[];
  body: B;
  run: (
    db: Kysely<DB>,
    ctx: CommandContext,
    target: { id: string; expectedVersion: number | null },
    input: z.output<B>,
  ) => Promise<WriteResult<Row>>;
  present: (row: Row) => unknown;
}): ApiHandler {
  return apiHandler(async (event, { correlationId }) => {
    const caller = callerOf(event, spec.scopes, correlationId);
    const target = { id: pathId(event), expectedVersion: expectedVersionOf(event) };
    const input = parseBody(event, spec.body);
    const result = await spec.run(getDb(), commandContext(caller, event, input), target, input);
    logWrite(result);
    return json(200, spec.present(result.state), replayHeader(result));
  });
}

function attemptParse<T>(parse: () => T): { value: T; issues: FieldIssue[] } {
  try {
    return { value: parse(), issues: [] };
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation_failed' && error.issues) {
      return { value: undefined as T, issues: error.issues };
    }
    throw error;
  }
}

/**
 * Who calls, with which scopes, and under which Idempotency-Key, checked
 * before the body so an unauthenticated or unauthorized request is refused as
 * such whatever it sends.
 */
function callerOf(event: ApiEvent, scopes: readonly string[], correlationId: string) {
  const principal = authorizedPrincipal(event, scopes);
  logger.appendKeys({ tenantId: principal.tenantId, actor: principal.actor });
  return { ...principal, correlationId, idempotencyKey: idempotencyKeyOf(event) };
}

/**
 * The command's context. A key names one request: method, path, actor and
 * the validated body; the same key with anything else is refused rather than
 * replayed.
 */
function commandContext(
  caller: ReturnType<typeof callerOf>,
  event: ApiEvent,
  input: unknown,
): CommandContext {
  const { idempotencyKey, ...ctx } = caller;
  const fingerprint = () =>
    createHash('sha256')
      .update(
        JSON.stringify([event.requestContext.http.method, event.rawPath, ctx.actor, input ?? null]),
      )
      .digest('hex');
  return {
    ...ctx,
    causationId: null,
    idempotency: idempotencyKey ? { key: idempotencyKey, fingerprint: fingerprint() } : null,
  };
}

function replayHeader(result: WriteResult<unknown>): Record<string, string> {
  return result.replayed ? { 'idempotent-replayed': 'true' } : {};
}

function logWrite(result: WriteResult<unknown>): void {
  if (result.event) {
    logger.info('state change committed', {
      eventId: result.event.id,
      eventType: result.event.type,
    });
  } else {
    logger.info('idempotent replay: nothing written');
  }
}
