export { type Dashboard, getDashboard } from './dashboard/query';
export { writeUnit } from './domain-write-unit';
export { ewaRequests } from './ewa-requests/aggregate';
export {
  approveEwaRequest,
  createEwaRequest,
  declineEwaRequest,
  disburseEwaRequest,
  settleEwaRequest,
} from './ewa-requests/commands';
export {
  type CreateEwaRequestInput,
  createEwaRequestInput,
  type DeclineEwaRequestInput,
  declineEwaRequestInput,
} from './ewa-requests/inputs';
export { type EwaRequestResource, presentEwaRequest } from './ewa-requests/present';
export {
  getEwaRequest,
  getEwaRequestHistory,
  type ListEwaRequestsQuery,
  listEwaRequests,
  listEwaRequestsQuery,
} from './ewa-requests/queries';
export { ewaRequestTransitions } from './ewa-requests/state-machine';
export { bookings } from './ledger/bookings';
export { chart, EWA_RECEIVABLE_CLASS, ewaReceivableCode } from './ledger/chart';
export { DEFAULT_LEDGER_LIMITS } from './ledger/limits';
export {
  accountCode,
  employeeId,
  employeeOutstanding,
  type ListAccountEntriesQuery,
  type ListLedgerAccountsQuery,
  listAccountEntries,
  listAccountEntriesQuery,
  listLedgerAccounts,
  listLedgerAccountsQuery,
} from './ledger/queries';
export { syncBookkeeping } from './ledger/rules';
export {
  type LegalTransition,
  legalTransitions,
  syncLegalTransitions,
} from './legal-transitions';
export { payrollRuns } from './payroll-runs/aggregate';
export {
  approvePayrollRun,
  cancelPayrollRun,
  createPayrollRun,
  markPayrollRunPaid,
  rejectPayrollRun,
  submitPayrollRun,
} from './payroll-runs/commands';
export {
  type CancelPayrollRunInput,
  type CreatePayrollRunInput,
  cancelPayrollRunInput,
  createPayrollRunInput,
  type RejectPayrollRunInput,
  rejectPayrollRunInput,
} from './payroll-runs/inputs';
export { type PayrollRunResource, presentPayrollRun } from './payroll-runs/present';
export {
  getPayrollRun,
  getPayrollRunHistory,
  type ListPayrollRunsQuery,
  listPayrollRuns,
  listPayrollRunsQuery,
} from './payroll-runs/queries';
export { payrollRunTransitions } from './payroll-runs/state-machine';
export type { Target } from './shared/command';
export type { Page } from './shared/pagination';
