import { declineEwaRequest, declineEwaRequestInput, presentEwaRequest } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = commandRoute({
  scopes: [SCOPES.ewaApprove],
  body: declineEwaRequestInput,
  run: declineEwaRequest,
  present: presentEwaRequest,
});
