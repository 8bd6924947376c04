import { defineAggregate } from '@auditflow/write-unit';

export const payrollRuns = defineAggregate({ type: 'payroll_run', table: 'payroll_runs' });
