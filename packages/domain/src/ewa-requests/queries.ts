import { type DB, EWA_REQUEST_STATUSES } from '@auditflow/db';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { aggregateHistory, findAggregate, listAggregates } from '../shared/aggregate-queries';
import { pageQuery } from '../shared/pagination';
import { ewaRequests } from './aggregate';
import { presentEwaRequest } from './present';

/** Query of `GET /ewa-requests`. */
export const listEwaRequestsQuery = z.strictObject({
  status: z.enum(EWA_REQUEST_STATUSES).optional(),
  ...pageQuery,
});
export type ListEwaRequestsQuery = z.infer<typeof listEwaRequestsQuery>;

/** One request of the tenant. Throws `not_found` for an unknown id or another tenant's. */
export const getEwaRequest = (db: Kysely<DB>, tenantId: string, id: string) =>
  findAggregate(db, ewaRequests, tenantId, id);

/** The tenant's requests, newest first, optionally of one status. */
export const listEwaRequests = (db: Kysely<DB>, tenantId: string, query: ListEwaRequestsQuery) =>
  listAggregates(db, ewaRequests, tenantId, query, presentEwaRequest);

/** The request's transitions with their audit rows, oldest first. */
export const getEwaRequestHistory = (db: Kysely<DB>, tenantId: string, id: string) =>
  aggregateHistory(db, ewaRequests, tenantId, id);
