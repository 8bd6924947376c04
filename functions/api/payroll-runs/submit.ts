import { emptyObject } from '@auditflow/core';
import { presentPayrollRun, submitPayrollRun } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = commandRoute({
  scopes: [SCOPES.payrollSubmit],
  body: emptyObject,
  run: (db, ctx, target) => submitPayrollRun(db, ctx, target),
  present: presentPayrollRun,
});
