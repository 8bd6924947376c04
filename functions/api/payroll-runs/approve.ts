import { emptyObject } from '@auditflow/core';
import { approvePayrollRun, presentPayrollRun } from '@auditflow/domain';
import { commandRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

export const handler = commandRoute({
  scopes: [SCOPES.payrollApprove],
  body: emptyObject,
  run: (db, ctx, target) => approvePayrollRun(db, ctx, target),
  present: presentPayrollRun,
});
