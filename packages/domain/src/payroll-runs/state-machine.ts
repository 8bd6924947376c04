import type { PayrollRunStatus } from '@auditflow/db';
import type { TransitionTable } from '../shared/state-machine';
import type { Lifecycle } from '../shared/transition';
import { payrollRuns } from './aggregate';

export type PayrollRunCommand = 'submit' | 'approve' | 'reject' | 'mark-paid' | 'cancel';

/** DRAFT -submit-> SUBMITTED -approve-> APPROVED -mark-paid-> PAID; reject back to DRAFT; cancel early. */
export const payrollRunTransitions: TransitionTable<PayrollRunStatus, PayrollRunCommand> = {
  submit: { from: ['DRAFT'], to: 'SUBMITTED' },
  approve: { from: ['SUBMITTED'], to: 'APPROVED' },
  reject: { from: ['SUBMITTED'], to: 'DRAFT' },
  'mark-paid': { from: ['APPROVED'], to: 'PAID' },
  cancel: { from: ['DRAFT', 'SUBMITTED'], to: 'CANCELLED' },
};

export const payrollRunLifecycle: Lifecycle<'payroll_runs', PayrollRunCommand> = {
  aggregate: payrollRuns,
  noun: 'payroll run',
  transitions: payrollRunTransitions,
};
