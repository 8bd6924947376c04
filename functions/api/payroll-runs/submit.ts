import { noInput, presentPayrollRun, submitPayrollRun } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';

export const handler = commandRoute({
  body: noInput,
  run: (db, ctx, target) => submitPayrollRun(db, ctx, target),
  present: presentPayrollRun,
});
