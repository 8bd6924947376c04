import type { DB } from '@auditflow/db';
import type { Kysely } from 'kysely';
import { type DeadEvent, listDeadEvents } from './dead-events';
import { type OutboxStatus, outboxStatus } from './outbox-status';
import { type Throughput, throughput } from './throughput';

export interface OutboxOverview {
  status: OutboxStatus;
  throughput: Throughput;
  deadEvents: DeadEvent[];
}

/**
 * What the console's outbox view shows, read in one go: the counts, the
 * throughput over `window` and the first `deadLimit` dead events, of one
 * tenant or (without one) of all, on the connection it is given. One
 * request instead of three: the view's load waited on the slowest of three
 * handlers sharing a server. Read only.
 */
export async function outboxOverview(
  db: Kysely<DB>,
  options: { window: { bucketSeconds: number; buckets: number }; deadLimit: number },
  tenantId?: string,
): Promise<OutboxOverview> {
  return {
    status: await outboxStatus(db, tenantId),
    throughput: await throughput(db, options.window, tenantId),
    deadEvents: await listDeadEvents(db, options.deadLimit, tenantId),
  };
}
