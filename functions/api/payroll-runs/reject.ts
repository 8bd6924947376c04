import { presentPayrollRun, rejectPayrollRun, rejectPayrollRunInput } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';

export const handler = commandRoute({
  body: rejectPayrollRunInput,
  run: rejectPayrollRun,
  present: presentPayrollRun,
});
