import { defineAggregate } from '@auditflow/outbox';

export const payrollRuns = defineAggregate({ type: 'payroll_run', table: 'payroll_runs' });
