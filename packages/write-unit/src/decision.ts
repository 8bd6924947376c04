import type { EventCatalogue } from '@auditflow/core';
import type { DomainTable } from '@auditflow/db';
import type { JournalEntryDraft } from '@auditflow/ledger';
import type { z } from 'zod';
import type { AggregateFields, AggregateStatus, AggregateUpdates } from './aggregate';

/**
 * Every state change names its audit action and its event; one whose event
 * moves money (`M`, the catalogue's money-moving types) also carries its
 * journal entry, and no other may. All are checked fields of one union, one
 * member per event type, so a decision without them does not compile: there
 * is no way to ask the write unit for a silent change, or for a payout
 * without its entry.
 */
export type Recorded<C extends EventCatalogue, M extends string = never> = {
  [K in keyof C & string]: {
    /** PascalCase past tense, e.g. `PayrollRunApproved`. */
    audit: { action: string };
    event: { type: K; data: z.input<C[K]> };
  } & (K extends M
    ? {
        /** Booked in the same transaction, caused by the event and its audit row. */ entry: JournalEntryDraft;
      }
    : { entry?: never });
}[keyof C & string];

/** The outcome of deciding to create an aggregate. */
export type Creation<
  T extends DomainTable,
  C extends EventCatalogue,
  M extends string = never,
> = Recorded<C, M> & {
  status: AggregateStatus<T>;
  fields: AggregateFields<T>;
};

/** The outcome of deciding a command on an existing aggregate. */
export type Change<
  T extends DomainTable,
  C extends EventCatalogue,
  M extends string = never,
> = Recorded<C, M> & {
  /** The command's name as recorded in the transition, e.g. `approve`. */
  command: string;
  status: AggregateStatus<T>;
  fields?: AggregateUpdates<T>;
};
