import { cancelPayrollRun, cancelPayrollRunInput, presentPayrollRun } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';

export const handler = commandRoute({
  body: cancelPayrollRunInput,
  run: cancelPayrollRun,
  present: presentPayrollRun,
});
