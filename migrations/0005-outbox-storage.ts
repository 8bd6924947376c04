import { type Kysely, sql } from 'kysely';

/**
 * The outbox is a queue: every event is inserted, leased, and marked
 * published (or retried) within seconds, so each row is rewritten twice.
 *
 * - fillfactor 50 leaves room on each page for the lease to be a HOT update
 *   (it changes no indexed column and no partial index's predicate): a new
 *   row version on the same page and no new entry in any index. A relay
 *   leases every row of a page at once when it drains a backlog; at 70 only
 *   about 40 % of those leases found room, at 50 nearly all. The table takes
 *   more pages; published rows are pruned after the retention period.
 * - outbox_by_tenant goes: nothing queries the outbox by tenant and event
 *   type, and every insert and every publish paid for an entry in it.
 * - Autovacuum after a fixed number of dead rows rather than a share of the
 *   table: with a week of published history kept, the default 20 % would let
 *   hundreds of thousands of dead entries pile up in the pending-only indexes
 *   that the relay's claim walks.
 *
 * Storage parameters apply to rows written from now on. Dropping the index
 * takes an exclusive lock on the outbox for a moment; queued behind a long
 * transaction it would hold up every audited write, so it gives up after 5 s
 * (the migration fails whole and can be run again).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    SET LOCAL lock_timeout = '5s';
    ALTER TABLE outbox SET (
      fillfactor = 50,
      autovacuum_vacuum_scale_factor = 0,
      autovacuum_vacuum_threshold = 10000,
      autovacuum_analyze_scale_factor = 0,
      autovacuum_analyze_threshold = 10000
    );
    DROP INDEX outbox_by_tenant;
  `.execute(db);
}

/** For development: on a live database, build the index CONCURRENTLY by hand instead. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX outbox_by_tenant ON outbox (tenant_id, event_type);
    ALTER TABLE outbox RESET (
      fillfactor,
      autovacuum_vacuum_scale_factor,
      autovacuum_vacuum_threshold,
      autovacuum_analyze_scale_factor,
      autovacuum_analyze_threshold
    );
  `.execute(db);
}
