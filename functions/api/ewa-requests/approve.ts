import { emptyObject } from '@auditflow/core';
import { approveEwaRequest, presentEwaRequest } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = commandRoute({
  scopes: [SCOPES.ewaApprove],
  body: emptyObject,
  run: (db, ctx, target) => approveEwaRequest(db, ctx, target),
  present: presentEwaRequest,
});
