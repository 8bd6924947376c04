import { isUuid, notFound } from '@auditflow/core';
import { type AggregateColumns, type DB, type DomainTable, readAsTenant } from '@auditflow/db';
import {
  type Aggregate,
  type AggregateRow,
  type HistoryItem,
  readHistory,
} from '@auditflow/write-unit';
import type { Kysely } from 'kysely';
import { decodeCursor, type Page, toPage } from './pagination';

/** Kysely cannot type "whichever domain table T is"; query a view with the shared columns. */
type DomainView = { [K in DomainTable]: AggregateColumns };
const asView = (db: Kysely<DB>) => db as unknown as Kysely<DomainView>;

const nounOf = (aggregate: Aggregate<DomainTable>) => aggregate.type.replace(/_/g, ' ');

/** One aggregate of the tenant. Throws `not_found` for an unknown id or another tenant's. */
export async function findAggregate<T extends DomainTable>(
  db: Kysely<DB>,
  aggregate: Aggregate<T>,
  tenantId: string,
  id: string,
): Promise<AggregateRow<T>> {
  const row = isUuid(id)
    ? await readAsTenant(db, tenantId, (trx) =>
        asView(trx)
          .selectFrom(aggregate.table as DomainTable)
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .executeTakeFirst(),
      )
    : undefined;
  if (!row) throw notFound(nounOf(aggregate));
  return row as AggregateRow<T>;
}

export interface ListQuery {
  status?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** The tenant's aggregates, newest first, optionally of one status, one page at a time. */
export async function listAggregates<T extends DomainTable, Resource>(
  db: Kysely<DB>,
  aggregate: Aggregate<T>,
  tenantId: string,
  query: ListQuery,
  present: (row: AggregateRow<T>) => Resource,
): Promise<Page<Resource>> {
  const before = decodeCursor(query.cursor);
  const rows = await readAsTenant(db, tenantId, (trx) => {
    let select = asView(trx)
      .selectFrom(aggregate.table as DomainTable)
      .selectAll()
      .where('tenant_id', '=', tenantId);
    if (query.status) select = select.where('status', '=', query.status);
    if (before) select = select.where('id', '<', before);
    return select
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
  });
  return toPage(rows as AggregateRow<T>[], query.limit, present);
}

/** Its transitions with their audit rows, oldest first. Throws `not_found` like findAggregate. */
export async function aggregateHistory<T extends DomainTable>(
  db: Kysely<DB>,
  aggregate: Aggregate<T>,
  tenantId: string,
  id: string,
): Promise<HistoryItem[]> {
  await findAggregate(db, aggregate, tenantId, id);
  return readAsTenant(db, tenantId, (trx) => readHistory(trx, tenantId, aggregate.type, id));
}
