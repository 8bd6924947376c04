import type { LedgerAccountType, PostingSide } from '@auditflow/db';

/** An account of the chart, named by code and currency; opened on first use. */
export interface AccountRef {
  /** `<class>` or `<class>:<owner>`, e.g. `ewa-receivable:emp-1`; limits are per class. */
  code: string;
  type: LedgerAccountType;
  /** ISO 4217; a posting is in its account's currency. */
  currency: string;
}

export interface PostingDraft {
  account: AccountRef;
  side: PostingSide;
  /** Integer minor units, positive. */
  amountMinor: number;
}

/**
 * A journal entry as a decision states it: what happened and its postings,
 * at least two (the type says so; the database says the rest: they balance
 * per currency). Its cause (event, audit row, correlation) is the write
 * unit's to add.
 */
export interface JournalEntryDraft {
  description: string;
  postings: readonly [PostingDraft, PostingDraft, ...PostingDraft[]];
}

/** The simplest entry: `amountMinor` moves from one account (credited) to another (debited). */
export function transfer(spec: {
  description: string;
  debit: AccountRef;
  credit: AccountRef;
  amountMinor: number;
}): JournalEntryDraft {
  return {
    description: spec.description,
    postings: [
      { account: spec.debit, side: 'debit', amountMinor: spec.amountMinor },
      { account: spec.credit, side: 'credit', amountMinor: spec.amountMinor },
    ],
  };
}

/** Debit-normal accounts grow with debits; the others with credits. */
export const isDebitNormal = (type: LedgerAccountType): boolean =>
  type === 'asset' || type === 'expense';
