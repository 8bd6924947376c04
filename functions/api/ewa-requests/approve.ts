import { emptyObject } from '@auditflow/core';
import { approveEwaRequest, presentEwaRequest } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';

export const handler = commandRoute({
  body: emptyObject,
  run: (db, ctx, target) => approveEwaRequest(db, ctx, target),
  present: presentEwaRequest,
});
