import type { AggregateColumns, DB, DomainTable } from '@auditflow/db';
import type { Insertable, Selectable, Updateable } from 'kysely';

/** A kind of aggregate and the domain table that holds its current state. */
export interface Aggregate<T extends DomainTable> {
  /** Names it in audit rows, transitions and outbox rows, e.g. `payroll_run`. */
  readonly type: string;
  readonly table: T;
}

/** Columns the write unit owns: identity, lifecycle and bookkeeping. */
type Managed = 'id' | 'tenant_id' | 'status' | 'version' | 'created_at' | 'updated_at';

export type AggregateRow<T extends DomainTable> = Selectable<DB[T]> & AggregateColumns;
export type AggregateStatus<T extends DomainTable> = DB[T]['status'];
/** What a creation supplies: every business column, none the write unit owns. */
export type AggregateFields<T extends DomainTable> = Omit<Insertable<DB[T]>, Managed>;
/** What a change may set besides the status. */
export type AggregateUpdates<T extends DomainTable> = Omit<Updateable<DB[T]>, Managed>;

export const defineAggregate = <T extends DomainTable>(aggregate: Aggregate<T>): Aggregate<T> =>
  aggregate;
