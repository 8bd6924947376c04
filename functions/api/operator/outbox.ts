import { emptyObject } from '@auditflow/core';
import { queryRoute } from '@auditflow/http';
import { outboxStatus } from '@auditflow/operator';
import { SCOPES } from '../scopes';

/** The tenant's outbox: counts by delivery state and the age of its oldest pending event. */
export const handler = queryRoute({
  scopes: [SCOPES.operator],
  query: emptyObject,
  run: (db, { tenantId }) => outboxStatus(db, tenantId),
});
