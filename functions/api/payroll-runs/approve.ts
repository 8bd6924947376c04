import { approvePayrollRun, noInput, presentPayrollRun } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';

export const handler = commandRoute({
  body: noInput,
  run: (db, ctx, target) => approvePayrollRun(db, ctx, target),
  present: presentPayrollRun,
});
