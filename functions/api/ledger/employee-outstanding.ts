import { emptyObject } from '@auditflow/core';
import { employeeId, employeeOutstanding } from '@auditflow/domain';
import { resourceQueryRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

/** An employee's outstanding advances per currency, with the limit and what it still allows. */
export const handler = resourceQueryRoute({
  scopes: [SCOPES.ledgerRead, SCOPES.ewaRead],
  param: { name: 'employeeId', schema: employeeId },
  query: emptyObject,
  run: (db, { tenantId }, employee) => employeeOutstanding(db, tenantId, employee),
});
