import { createPayrollRun, createPayrollRunInput, presentPayrollRun } from '@auditflow/domain';
import { createRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = createRoute({
  scopes: [SCOPES.payrollPrepare],
  body: createPayrollRunInput,
  run: createPayrollRun,
  present: presentPayrollRun,
});
