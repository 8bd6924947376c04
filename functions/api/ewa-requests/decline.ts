import { declineEwaRequest, declineEwaRequestInput, presentEwaRequest } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';

export const handler = commandRoute({
  body: declineEwaRequestInput,
  run: declineEwaRequest,
  present: presentEwaRequest,
});
