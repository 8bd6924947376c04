import { emptyObject } from '@auditflow/core';
import { markPayrollRunPaid, presentPayrollRun } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';

export const handler = commandRoute({
  body: emptyObject,
  run: (db, ctx, target) => markPayrollRunPaid(db, ctx, target),
  present: presentPayrollRun,
});
