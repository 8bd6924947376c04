import { approveEwaRequest, noInput, presentEwaRequest } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';

export const handler = commandRoute({
  body: noInput,
  run: (db, ctx, target) => approveEwaRequest(db, ctx, target),
  present: presentEwaRequest,
});
