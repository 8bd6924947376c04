import { type Kysely, sql } from 'kysely';

/**
 * What the relay needs: a lease on claimed rows (so no lock is held across a
 * PutEvents call, and a relay that dies releases its rows when the lease
 * ends), indexes over pending rows only (published history must not slow a
 * poll), a wake-up notification on commit, and outbox events that cannot be
 * edited once written (only their delivery state changes).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE outbox
      ADD COLUMN claimed_by text,
      ADD COLUMN claimed_until timestamptz;

    CREATE INDEX outbox_pending ON outbox (id) WHERE status = 'pending';
    CREATE INDEX outbox_pending_by_aggregate
      ON outbox (aggregate_type, aggregate_id, aggregate_version) WHERE status = 'pending';
    CREATE INDEX outbox_dead ON outbox (id) WHERE status = 'dead';
    CREATE INDEX outbox_published_at ON outbox (published_at) WHERE status = 'published';
    CREATE INDEX outbox_occurred_at ON outbox (occurred_at);

    -- Transitions older than this may have had their published event pruned:
    -- reconciliation counts only what is newer.
    CREATE TABLE outbox_retention (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      pruned_before timestamptz NOT NULL
    );

    -- Delivered at commit, so a listening relay wakes only for committed events.
    -- Postgres folds identical notifications of one transaction into one.
    CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      PERFORM pg_notify('outbox_pending', '');
      RETURN NULL;
    END $$;
    CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
      FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();

    CREATE FUNCTION guard_outbox_event() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      IF (NEW.id, NEW.tenant_id, NEW.aggregate_type, NEW.aggregate_id, NEW.aggregate_version,
          NEW.event_type, NEW.payload, NEW.occurred_at, NEW.correlation_id, NEW.causation_id,
          NEW.actor, NEW.txid)
         IS DISTINCT FROM
         (OLD.id, OLD.tenant_id, OLD.aggregate_type, OLD.aggregate_id, OLD.aggregate_version,
          OLD.event_type, OLD.payload, OLD.occurred_at, OLD.correlation_id, OLD.causation_id,
          OLD.actor, OLD.txid) THEN
        RAISE EXCEPTION 'outbox events are immutable; only their delivery state may change'
          USING ERRCODE = 'AF002';
      END IF;
      RETURN NEW;
    END $$;
    -- Fires only for updates that name an event column: the relay's status
    -- updates (two per event) do not pay for it.
    CREATE TRIGGER outbox_immutable_event
      BEFORE UPDATE OF id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type,
        payload, occurred_at, correlation_id, causation_id, actor, txid ON outbox
      FOR EACH ROW EXECUTE FUNCTION guard_outbox_event();

    -- An event starts undelivered, whatever the writer says, so no write can
    -- commit an event that is already "published" and never leaves.
    CREATE FUNCTION start_undelivered() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      NEW.status := 'pending';
      NEW.attempts := 0;
      NEW.published_at := NULL;
      NEW.claimed_by := NULL;
      NEW.claimed_until := NULL;
      RETURN NEW;
    END $$;
    CREATE TRIGGER outbox_starts_undelivered BEFORE INSERT ON outbox
      FOR EACH ROW EXECUTE FUNCTION start_undelivered();

    -- Only delivered events may go (retention); pending and dead ones stay.
    CREATE FUNCTION keep_undelivered() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      IF OLD.status <> 'published' THEN
        RAISE EXCEPTION 'outbox event % is %: only published events may be deleted', OLD.id, OLD.status
          USING ERRCODE = 'AF002';
      END IF;
      RETURN OLD;
    END $$;
    CREATE TRIGGER outbox_keep_undelivered BEFORE DELETE ON outbox
      FOR EACH ROW EXECUTE FUNCTION keep_undelivered();
    CREATE TRIGGER outbox_no_truncate BEFORE TRUNCATE ON outbox
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER outbox_no_truncate ON outbox;
    DROP TRIGGER outbox_keep_undelivered ON outbox;
    DROP FUNCTION keep_undelivered();
    DROP TRIGGER outbox_starts_undelivered ON outbox;
    DROP FUNCTION start_undelivered();
    DROP TRIGGER outbox_immutable_event ON outbox;
    DROP FUNCTION guard_outbox_event();
    DROP TRIGGER outbox_notify ON outbox;
    DROP FUNCTION notify_outbox();
    DROP TABLE outbox_retention;
    DROP INDEX outbox_occurred_at;
    DROP INDEX outbox_published_at;
    DROP INDEX outbox_dead;
    DROP INDEX outbox_pending_by_aggregate;
    DROP INDEX outbox_pending;
    ALTER TABLE outbox DROP COLUMN claimed_until, DROP COLUMN claimed_by;
  `.execute(db);
}
