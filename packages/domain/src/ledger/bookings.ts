import type { EwaRequestRow, PayrollRunRow } from '@auditflow/db';
import { type JournalEntryDraft, transfer } from '@auditflow/ledger';
import { chart } from './chart';

/**
 * What each money-moving command books (the README tables them). Pure: a
 * decision returns the draft, the write unit books it with the change.
 */
export const bookings = {
  /** The advance leaves funding cash and becomes the employee's debt. */
  advanceDisbursed: (request: EwaRequestRow): JournalEntryDraft =>
    transfer({
      description: `EWA advance ${request.id} disbursed to employee ${request.employee_id}`,
      debit: chart.ewaReceivable(request.employee_id, request.currency),
      credit: chart.fundingCash(request.currency),
      amountMinor: request.amount_minor,
    }),

  /**
   * The paid run's net pay was short by the advance: that part of the
   * wages, booked as paid out of funding cash with the run, stayed there and
   * clears the employee's debt.
   */
  advanceSettled: (request: EwaRequestRow, runId: string): JournalEntryDraft =>
    transfer({
      description: `EWA advance ${request.id} of employee ${request.employee_id} recovered from the net pay of run ${runId}`,
      debit: chart.fundingCash(request.currency),
      credit: chart.ewaReceivable(request.employee_id, request.currency),
      amountMinor: request.amount_minor,
    }),

  /** The run's gross wages are an expense, paid from funding cash. */
  runPaid: (run: PayrollRunRow): JournalEntryDraft =>
    transfer({
      description: `payroll run ${run.id} (${run.period_start} to ${run.period_end}) paid`,
      debit: chart.wagesExpense(run.currency),
      credit: chart.fundingCash(run.currency),
      amountMinor: run.gross_total_minor,
    }),
};
