import { emptyObject } from '@auditflow/core';
import { getDashboard } from '@auditflow/domain';
import { queryRoute } from '@auditflow/http';

export const handler = queryRoute({
  query: emptyObject,
  run: (db, { tenantId }) => getDashboard(db, tenantId),
});
