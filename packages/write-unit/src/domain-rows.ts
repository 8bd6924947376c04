import type { AggregateColumns, DB, DomainTable, Timestamp } from '@auditflow/db';
import { sql, type Transaction } from 'kysely';
import type { Aggregate, AggregateRow } from './aggregate';

/**
 * The only place in the code base that writes domain tables (the one-rule
 * check enforces it). Every function takes the write unit's transaction.
 *
 * Kysely cannot type a query over "whichever domain table T is", so the
 * queries run against a view in which every domain table has the columns all
 * aggregates share; rows are typed back as the aggregate's own row type.
 */
type DomainView = { [K in DomainTable]: AggregateColumns & { updated_at: Timestamp } };
const asView = (trx: Transaction<DB>) => trx as unknown as Transaction<DomainView>;

/** Loads an aggregate of the tenant and locks it until the transaction ends. */
export async function lockAggregate<T extends DomainTable>(
  trx: Transaction<DB>,
  aggregate: Aggregate<T>,
  tenantId: string,
  id: string,
): Promise<AggregateRow<T> | undefined> {
  // FOR UPDATE serializes racing commands on one row: the second waits, then
  // decides against the state the first one committed.
  const row = await asView(trx)
    .selectFrom(aggregate.table as DomainTable)
    .selectAll()
    .where('id', '=', id)
    .where('tenant_id', '=', tenantId)
    .forUpdate()
    .executeTakeFirst();
  return row as AggregateRow<T> | undefined;
}

/** Inserts a new aggregate at version 1. */
export async function insertAggregate<T extends DomainTable>(
  trx: Transaction<DB>,
  aggregate: Aggregate<T>,
  row: AggregateColumns & Record<string, unknown>,
): Promise<AggregateRow<T>> {
  const inserted = await asView(trx)
    .insertInto(aggregate.table as DomainTable)
    .values(row)
    .returningAll()
    .executeTakeFirstOrThrow();
  return inserted as unknown as AggregateRow<T>;
}

/** Applies a change and bumps the version by exactly one. */
export async function updateAggregate<T extends DomainTable>(
  trx: Transaction<DB>,
  aggregate: Aggregate<T>,
  current: AggregateColumns,
  changes: Record<string, unknown>,
): Promise<AggregateRow<T>> {
  const updated = await asView(trx)
    .updateTable(aggregate.table as DomainTable)
    .set({ ...changes, version: current.version + 1, updated_at: sql<string>`now()` })
    .where('id', '=', current.id)
    .where('tenant_id', '=', current.tenant_id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return updated as unknown as AggregateRow<T>;
}
