import { emptyObject } from '@auditflow/core';
import { presentPayrollRun, submitPayrollRun } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';

export const handler = commandRoute({
  body: emptyObject,
  run: (db, ctx, target) => submitPayrollRun(db, ctx, target),
  present: presentPayrollRun,
});
