import type { ColumnType, Insertable, Selectable } from 'kysely';
import type { Timestamp, TransactionId } from './columns';

export const LEDGER_ACCOUNT_TYPES = ['asset', 'liability', 'equity', 'income', 'expense'] as const;
export type LedgerAccountType = (typeof LEDGER_ACCOUNT_TYPES)[number];
export type PostingSide = 'debit' | 'credit';

/** A numeric sum, as Postgres sends it: a decimal string, exact beyond 2^53. */
type Numeric = ColumnType<string, never, never>;

/**
 * One account per tenant, code and currency. Only postings change the
 * running counters, and only on accounts that keep a balance (migration
 * 0012-ledger); accounts are never deleted.
 */
export interface LedgerAccountsTable {
  id: string;
  tenant_id: string;
  code: string;
  /** The code up to its first `:`; limits are per class. */
  class: ColumnType<string, never, never>;
  type: LedgerAccountType;
  currency: string;
  keeps_balance: ColumnType<boolean, never, never>;
  debits_posted: Numeric;
  credits_posted: Numeric;
  created_at: ColumnType<string, never, never>;
}

/** Append-only: one per money-moving event. */
export interface LedgerEntriesTable {
  id: string;
  tenant_id: string;
  description: string;
  event_id: string;
  /** Stamped by the database from the event. */
  event_type: ColumnType<string, never, never>;
  audit_id: string;
  correlation_id: string;
  occurred_at: Timestamp;
  txid: TransactionId;
}

/** Append-only: all of an entry's postings are inserted in one statement. */
export interface LedgerPostingsTable {
  id: string;
  tenant_id: string;
  entry_id: string;
  account_id: string;
  side: PostingSide;
  amount_minor: number;
  currency: string;
}

/** `*` as tenant: every tenant without its own row; `*` as currency: any. */
export interface LedgerLimitsTable {
  tenant_id: string;
  account_class: string;
  currency: string;
  max_balance_minor: number;
}

/** The event types that move money, written from the event catalogue. */
export interface LedgerMoneyEventsTable {
  event_type: string;
}

export type LedgerAccountRow = Selectable<LedgerAccountsTable>;
export type NewLedgerAccount = Insertable<LedgerAccountsTable>;
export type LedgerEntryRow = Selectable<LedgerEntriesTable>;
export type NewLedgerEntry = Insertable<LedgerEntriesTable>;
export type LedgerPostingRow = Selectable<LedgerPostingsTable>;
export type NewLedgerPosting = Insertable<LedgerPostingsTable>;
export type LedgerLimitRow = Selectable<LedgerLimitsTable>;
