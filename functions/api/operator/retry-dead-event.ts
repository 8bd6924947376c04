import { AppError, isUuid } from '@auditflow/core';
import { getDb } from '@auditflow/db';
import { reasonText } from '@auditflow/events';
import {
  apiHandler,
  authorizedPrincipal,
  grantedScopes,
  json,
  logger,
  parseBody,
  parsePath,
  parseQuery,
} from '@auditflow/http';
import { eventStatus, retryDeadEvent } from '@auditflow/operator';
import { z } from 'zod';
import { SCOPES } from '../scopes';
import { forTenant, selectTenant, tenantParam } from './tenant-scope';

// Any UUID Postgres accepts: event ids are UUIDv7 today, but older or imported ones need not be.
const path = z.object({ id: z.string().refine(isUuid, 'must be a UUID') });
const query = z.strictObject({ tenant: tenantParam });
/** Why the operator retries: kept with the action, as a reject's reason is kept with the run. */
const body = z.strictObject({ reason: reasonText });

/**
 * `POST /operator/dead-events/{id}/retry` with `{"reason": "..."}`: sends a
 * dead event again, recording who asked and why in operator_actions in the
 * same statement. 200 with `retried: true` and the recorded action; when the
 * event is no longer dead (a retry already went through, or it was
 * published), 200 with `retried: false` and nothing recorded, so repeating the
 * request is safe; 404 when the tenant has no such event.
 */
export const handler = apiHandler(async (event, { correlationId }) => {
  const principal = authorizedPrincipal(event, [SCOPES.operator, SCOPES.platform]);
  const tenant = selectTenant(
    { ...principal, scopes: grantedScopes(event) },
    parseQuery(event, query).tenant,
  );
  const { id } = parsePath(event, path);
  const { reason } = parseBody(event, body);
  const { action, status } = await forTenant(getDb(), tenant, async (db, only) => {
    const action = await retryDeadEvent(db, {
      eventId: id,
      tenantId: only ?? null,
      actor: principal.actor,
      reason,
      correlationId,
    });
    return { action, status: action ? 'pending' : await eventStatus(db, id, only ?? null) };
  });
  if (action) {
    logger.info('dead event retried', { eventId: id, actionId: action.id, actor: principal.actor });
    return json(200, { eventId: id, status: 'pending', retried: true, action });
  }
  if (status === null) throw new AppError('not_found', 'event not found');
  return json(200, { eventId: id, status, retried: false, action: null });
});
