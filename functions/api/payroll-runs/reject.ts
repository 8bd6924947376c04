import { presentPayrollRun, rejectPayrollRun, rejectPayrollRunInput } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = commandRoute({
  scopes: [SCOPES.payrollApprove],
  body: rejectPayrollRunInput,
  run: rejectPayrollRun,
  present: presentPayrollRun,
});
