import { rawTransition } from './raw-history';

/*
 * Raw SQL that pays an APPROVED payroll run and books it, the way an
 * attacker holding the API's credentials would, bypassing the write unit.
 * Truthful unless a part is replaced, so an attack differs from an accepted
 * write by exactly its lie.
 */

export interface RawBooking {
  runId: string;
  tenant: string;
  entryId: string;
  /** `VALUES` rows `(account code, side, amount, currency)`; by default 100 of wages paid in EUR. */
  postings?: string;
  /** The entry's event id, as SQL; by default the run_paid event of this change. */
  eventId?: string;
}

const DEFAULT_POSTINGS = `('wages-expense', 'debit', 100, 'EUR'), ('funding-cash', 'credit', 100, 'EUR')`;

/** Opens the run's accounts, as the ledger core does (idempotent). */
export const rawOpenAccounts = (tenant: string, currency = 'EUR') =>
  `INSERT INTO ledger_accounts (id, tenant_id, code, type, currency)
   VALUES (gen_random_uuid(), '${tenant}', 'wages-expense', 'expense', '${currency}'),
          (gen_random_uuid(), '${tenant}', 'funding-cash', 'asset', '${currency}')
   ON CONFLICT DO NOTHING`;

/** The entry of this transaction's run_paid event, naming its audit row. */
export const rawEntry = (booking: RawBooking) =>
  `INSERT INTO ledger_entries (id, tenant_id, description, event_id, audit_id, correlation_id)
   SELECT '${booking.entryId}', o.tenant_id, 'raw', ${booking.eventId ?? 'o.id'}, a.id, o.correlation_id
     FROM outbox o JOIN audit_log a ON a.entity_type = o.aggregate_type AND a.entity_id = o.aggregate_id
                                   AND a.entity_version = o.aggregate_version
    WHERE o.aggregate_id = '${booking.runId}' AND o.event_type = 'payroll.run_paid.v1'`;

/** The entry's postings, in one statement, to the tenant's accounts by code (any currency). */
export const rawPostings = (booking: RawBooking) =>
  `INSERT INTO ledger_postings (id, tenant_id, entry_id, account_id, side, amount_minor, currency)
   SELECT gen_random_uuid(), '${booking.tenant}', '${booking.entryId}', acc.id, v.side, v.amount, v.currency
     FROM (VALUES ${booking.postings ?? DEFAULT_POSTINGS}) AS v(code, side, amount, currency)
     JOIN LATERAL (SELECT id FROM ledger_accounts a WHERE a.tenant_id = '${booking.tenant}' AND a.code = v.code
                   ORDER BY a.currency = v.currency DESC LIMIT 1) acc ON true`;

/** APPROVED -> PAID with its history, without the entry. */
export const rawPayment = (booking: Pick<RawBooking, 'runId' | 'tenant'>) =>
  rawTransition({
    id: booking.runId,
    tenant: booking.tenant,
    command: 'mark-paid',
    to: 'PAID',
    eventType: 'payroll.run_paid.v1',
  });

/** APPROVED -> PAID with its history and its entry. */
export const rawBookedPayment = (booking: RawBooking) => [
  ...rawPayment(booking),
  rawOpenAccounts(booking.tenant),
  rawEntry(booking),
  rawPostings(booking),
];
