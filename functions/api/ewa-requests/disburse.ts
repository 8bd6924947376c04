import { emptyObject } from '@auditflow/core';
import { disburseEwaRequest, presentEwaRequest } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = commandRoute({
  scopes: [SCOPES.ewaDisburse],
  body: emptyObject,
  run: (db, ctx, target) => disburseEwaRequest(db, ctx, target),
  present: presentEwaRequest,
});
