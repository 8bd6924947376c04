import { emptyObject } from '@auditflow/core';
import { disburseEwaRequest, presentEwaRequest } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';

export const handler = commandRoute({
  body: emptyObject,
  run: (db, ctx, target) => disburseEwaRequest(db, ctx, target),
  present: presentEwaRequest,
});
