import { emptyObject } from '@auditflow/core';
import { approvePayrollRun, presentPayrollRun } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';

export const handler = commandRoute({
  body: emptyObject,
  run: (db, ctx, target) => approvePayrollRun(db, ctx, target),
  present: presentPayrollRun,
});
