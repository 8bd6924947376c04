import { cancelPayrollRun, cancelPayrollRunInput, presentPayrollRun } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = commandRoute({
  scopes: [SCOPES.payrollPrepare],
  body: cancelPayrollRunInput,
  run: cancelPayrollRun,
  present: presentPayrollRun,
});
