import type { EventCatalogue, EventOf } from '@auditflow/core';
import type { DomainTable } from '@auditflow/db';
import type { AggregateFields, AggregateStatus, AggregateUpdates } from './aggregate';

/**
 * Every state change names its audit action and its event. Both are required
 * fields, so a decision without them does not compile: there is no way to ask
 * the write unit for a silent change.
 */
interface Recorded<C extends EventCatalogue> {
  /** PascalCase past tense, e.g. `PayrollRunApproved`. */
  audit: { action: string };
  event: EventOf<C>;
}

/** The outcome of deciding to create an aggregate. */
export interface Creation<T extends DomainTable, C extends EventCatalogue> extends Recorded<C> {
  status: AggregateStatus<T>;
  fields: AggregateFields<T>;
}

/** The outcome of deciding a command on an existing aggregate. */
export interface Change<T extends DomainTable, C extends EventCatalogue> extends Recorded<C> {
  /** The command's name as recorded in the transition, e.g. `approve`. */
  command: string;
  status: AggregateStatus<T>;
  fields?: AggregateUpdates<T>;
}
