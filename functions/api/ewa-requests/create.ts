import { createEwaRequest, createEwaRequestInput, presentEwaRequest } from '@auditflow/domain';
import { createRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = createRoute({
  scopes: [SCOPES.ewaRequest],
  body: createEwaRequestInput,
  run: createEwaRequest,
  present: presentEwaRequest,
});
