import { createPayrollRun, createPayrollRunInput, presentPayrollRun } from '@auditflow/domain';
import { createRoute } from '@auditflow/http';

export const handler = createRoute({
  body: createPayrollRunInput,
  run: createPayrollRun,
  present: presentPayrollRun,
});
