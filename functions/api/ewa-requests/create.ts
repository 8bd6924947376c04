import { createEwaRequest, createEwaRequestInput, presentEwaRequest } from '@auditflow/domain';
import { createRoute } from '@auditflow/http';

export const handler = createRoute({
  body: createEwaRequestInput,
  run: createEwaRequest,
  present: presentEwaRequest,
});
