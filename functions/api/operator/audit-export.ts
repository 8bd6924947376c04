import { type CheckpointStore, checkpointStoreFromEnv, exportEntity } from '@auditflow/audit';
import { AppError } from '@auditflow/core';
import { queryRoute } from '@auditflow/http';
import { z } from 'zod';
import { SCOPES } from '../scopes';
import { selectTenant, tenantParam } from './tenant-scope';

/** The checkpoint store, made on first use from the environment (the stage's bucket, or local files). */
let store: CheckpointStore | undefined;

/**
 * One entity's history with its proofs, the document `npm run audit --
 * export` writes and `npm run audit -- check-export` checks offline: each
 * audit row, transition and event with its hashed content, its chain entry
 * and the stored checkpoint that lists it. Of one tenant (the token's, or
 * with the platform scope the one named; never `*`), read as the API's role
 * under row-level security. 404 when the tenant has no history of the entity.
 */
export const handler = queryRoute({
  scopes: [SCOPES.operator, SCOPES.platform],
  query: z.strictObject({ tenant: tenantParam, entity: z.uuid({ error: 'must be a UUID' }) }),
  run: async (db, principal, query) => {
    const tenantId = selectTenant(principal, query.tenant);
    if (tenantId === null) {
      throw new AppError('validation_failed', 'Invalid request', {
        issues: [{ path: ['query', 'tenant'], message: 'an export is of one tenant: name it' }],
      });
    }
    store ??= checkpointStoreFromEnv();
    const document = await exportEntity(db, store, { tenantId, entityId: query.entity });
    if (document.rows.length === 0) {
      throw new AppError(
        'not_found',
        `No history of entity ${query.entity} in tenant ${tenantId}.`,
      );
    }
    return document;
  },
});
