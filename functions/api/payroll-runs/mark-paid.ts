import { emptyObject } from '@auditflow/core';
import { markPayrollRunPaid, presentPayrollRun } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = commandRoute({
  scopes: [SCOPES.payrollPay],
  body: emptyObject,
  run: (db, ctx, target) => markPayrollRunPaid(db, ctx, target),
  present: presentPayrollRun,
});
