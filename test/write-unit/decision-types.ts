/**
 * Compile-time proof (checked by `npm run typecheck`, never executed) that the
 * write unit's types refuse a state change without its audit action and
 * event, or with an event the catalogue does not define. Each
 * `@ts-expect-error` fails the type check if the line ever compiles.
 */
import type { Change, Creation } from '@auditflow/write-unit';
import { z } from 'zod';

const catalogue = {
  'payroll.run_submitted.v1': z.strictObject({ submittedBy: z.string() }),
} as const;
type Catalogue = typeof catalogue;

export const complete: Change<'payroll_runs', Catalogue> = {
  command: 'submit',
  status: 'SUBMITTED',
  audit: { action: 'PayrollRunSubmitted' },
  event: { type: 'payroll.run_submitted.v1', data: { submittedBy: 'alice' } },
};

// @ts-expect-error a change without an audit action does not compile
export const withoutAudit: Change<'payroll_runs', Catalogue> = {
  command: 'submit',
  status: 'SUBMITTED',
  event: { type: 'payroll.run_submitted.v1', data: { submittedBy: 'alice' } },
};

// @ts-expect-error a change without an event does not compile
export const withoutEvent: Change<'payroll_runs', Catalogue> = {
  command: 'submit',
  status: 'SUBMITTED',
  audit: { action: 'PayrollRunSubmitted' },
};

export const unknownEvent: Change<'payroll_runs', Catalogue> = {
  command: 'submit',
  status: 'SUBMITTED',
  audit: { action: 'PayrollRunSubmitted' },
  // @ts-expect-error an event type outside the catalogue does not compile
  event: { type: 'payroll.run_vanished.v1', data: {} },
};

export const wrongData: Change<'payroll_runs', Catalogue> = {
  command: 'submit',
  status: 'SUBMITTED',
  audit: { action: 'PayrollRunSubmitted' },
  // @ts-expect-error event data must match the event's schema
  event: { type: 'payroll.run_submitted.v1', data: { submittedBy: 42 } },
};

export const wrongStatus: Change<'payroll_runs', Catalogue> = {
  command: 'submit',
  // @ts-expect-error a status the aggregate does not have does not compile
  status: 'DISBURSED',
  audit: { action: 'PayrollRunSubmitted' },
  event: { type: 'payroll.run_submitted.v1', data: { submittedBy: 'alice' } },
};

// @ts-expect-error a creation without its event does not compile
export const creationWithoutEvent: Creation<'payroll_runs', Catalogue> = {
  status: 'DRAFT',
  fields: {
    period_start: '2026-11-01',
    period_end: '2026-11-30',
    pay_date: '2026-12-01',
    currency: 'EUR',
    gross_total_minor: 1,
    employee_count: 1,
    created_by: 'alice',
  },
  audit: { action: 'PayrollRunCreated' },
};
