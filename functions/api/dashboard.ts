import { emptyObject } from '@auditflow/core';
import { getDashboard } from '@auditflow/domain';
import { queryRoute } from '@auditflow/http';
import { SCOPES } from './scopes';

export const handler = queryRoute({
  scopes: [SCOPES.payrollRead, SCOPES.ewaRead],
  query: emptyObject,
  run: (db, { tenantId }) => getDashboard(db, tenantId),
});
