import { type Kysely, sql } from 'kysely';

/**
 * Every requeue is an operator action on record.
 *
 * A single retry (retry_dead_event(), 0010) and a skip (0014) each record
 * who, why and under which correlation id, in the statement that changes the
 * event. The bulk versions did not: `retry --all-dead` and a replay changed
 * the delivery state of any number of events and left no trace of who asked
 * or why. From here on:
 *
 * - retry_dead_events() and replay_events() take the actor, the reason and
 *   the correlation id, and insert one operator_actions row per event they
 *   queue, in the same statement as the update: one cannot happen without
 *   the other. A dry run records nothing and needs neither.
 * - A requeue without an actor or a reason is refused (SQLSTATE 22023) and
 *   changes nothing; the reason is 1-500 characters, as operator_actions
 *   demands of every row.
 * - `replay_event` joins the actions operator_actions accepts.
 * - Each row also records `login_role`, the role the call came in on
 *   (session_user, which a SECURITY DEFINER function does not change): the
 *   actor is what the caller says, the role is what the database saw. Rows
 *   written before this migration have none.
 * - The operator role loses EXECUTE on the unrecorded versions (0013), so
 *   the only way it has to revive or resend an event leaves a record.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE operator_actions DROP CONSTRAINT operator_actions_action_check;
    ALTER TABLE operator_actions ADD CONSTRAINT operator_actions_action_check
      CHECK (action IN ('retry_dead_event', 'skip_dead_event', 'replay_event'));
    -- Added without a default, then given one: the rows already there stay unknown (NULL)
    -- rather than named after the migrator.
    ALTER TABLE operator_actions ADD COLUMN login_role text;
    ALTER TABLE operator_actions ALTER COLUMN login_role SET DEFAULT session_user;

    CREATE FUNCTION require_requeue_record(dry_run boolean, by_actor text, why text,
                                           correlation text) RETURNS void
      LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      IF dry_run THEN RETURN; END IF;
      IF coalesce(btrim(by_actor), '') = '' OR coalesce(btrim(correlation), '') = '' THEN
        RAISE EXCEPTION 'a requeue names who asked for it and its correlation id; nothing changed'
          USING ERRCODE = '22023';
      END IF;
      IF coalesce(length(btrim(why)), 0) NOT BETWEEN 1 AND 500 THEN
        RAISE EXCEPTION 'a requeue gives its reason, 1-500 characters; nothing changed'
          USING ERRCODE = '22023';
      END IF;
    END $$;

    CREATE FUNCTION replay_events(from_time timestamptz, to_time timestamptz, only_type text,
                                  only_tenant text, max_rows integer, dry_run boolean,
                                  by_actor text, why text, correlation text)
      RETURNS TABLE (id uuid, tenant_id text, event_type text, aggregate text,
                     occurred_at timestamptz)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      horizon timestamptz := replay_horizon();
      too_old integer;
      matching integer;
    BEGIN
      IF from_time IS NULL OR to_time IS NULL OR from_time >= to_time THEN
        RAISE EXCEPTION 'a replay window needs a start before its end' USING ERRCODE = '22023';
      END IF;
      PERFORM require_requeue_record(dry_run, by_actor, why, correlation);
      -- Locked, so what was counted is what changes, whoever else is replaying.
      SELECT count(*)::int, count(*) FILTER (WHERE o.occurred_at < horizon)::int
        INTO matching, too_old
        FROM (SELECT o.occurred_at FROM outbox o
               WHERE o.status IN ('published', 'dead')
                 AND o.occurred_at >= from_time AND o.occurred_at < to_time
                 AND (only_type IS NULL OR o.event_type = only_type)
                 AND (only_tenant IS NULL OR o.tenant_id = only_tenant)
               FOR UPDATE) o;
      IF too_old > 0 THEN
        RAISE EXCEPTION '% event(s) of this window occurred before %, longer ago than the inbox retention (%) less a day allows: subscribers may have forgotten them and would apply them twice; start the window at % or later',
          too_old, horizon, (SELECT keep_for FROM inbox_retention), horizon
          USING ERRCODE = 'AF008';
      END IF;
      IF max_rows IS NOT NULL AND matching > max_rows THEN
        RAISE EXCEPTION '% event(s) match, more than the % allowed; nothing changed', matching, max_rows
          USING ERRCODE = 'AF009';
      END IF;
      IF dry_run THEN
        RETURN QUERY
          SELECT o.id, o.tenant_id, o.event_type,
                 o.aggregate_type || '/' || o.aggregate_id || ' v' || o.aggregate_version, o.occurred_at
            FROM outbox o
           WHERE o.status IN ('published', 'dead')
             AND o.occurred_at >= from_time AND o.occurred_at < to_time
             AND (only_type IS NULL OR o.event_type = only_type)
             AND (only_tenant IS NULL OR o.tenant_id = only_tenant)
           ORDER BY o.id;
        RETURN;
      END IF;
      RETURN QUERY
        WITH queued AS (
          UPDATE outbox o
             SET status = 'pending', attempts = 0, next_attempt_at = now(), published_at = NULL,
                 claimed_by = NULL, claimed_until = NULL
           WHERE o.status IN ('published', 'dead')
             AND o.occurred_at >= from_time AND o.occurred_at < to_time
             AND (only_type IS NULL OR o.event_type = only_type)
             AND (only_tenant IS NULL OR o.tenant_id = only_tenant)
          RETURNING o.id, o.tenant_id, o.event_type,
                    o.aggregate_type || '/' || o.aggregate_id || ' v' || o.aggregate_version AS aggregate,
                    o.occurred_at
        ), recorded AS (
          INSERT INTO operator_actions (id, tenant_id, actor, action, target_event_id, reason,
                                        correlation_id)
          SELECT gen_random_uuid(), q.tenant_id, btrim(by_actor), 'replay_event', q.id, btrim(why),
                 correlation
            FROM queued q
        )
        SELECT q.id, q.tenant_id, q.event_type, q.aggregate, q.occurred_at FROM queued q;
      PERFORM pg_notify('outbox_pending', '');
    END $$;

    CREATE FUNCTION retry_dead_events(ids uuid[], only_tenant text, max_rows integer,
                                      dry_run boolean, by_actor text, why text,
                                      correlation text)
      RETURNS TABLE (id uuid, tenant_id text, event_type text, aggregate text,
                     occurred_at timestamptz)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      matching integer;
    BEGIN
      PERFORM require_requeue_record(dry_run, by_actor, why, correlation);
      -- A dead event was never accepted by the bus after it died, so no
      -- subscriber can hold a receipt it would forget: no horizon here.
      -- Locked, so what was counted is what changes.
      SELECT count(*)::int INTO matching
        FROM (SELECT 1 FROM outbox o
               WHERE o.status = 'dead' AND (ids IS NULL OR o.id = ANY(ids))
                 AND (only_tenant IS NULL OR o.tenant_id = only_tenant)
               FOR UPDATE) o;
      IF max_rows IS NOT NULL AND matching > max_rows THEN
        RAISE EXCEPTION '% dead event(s) match, more than the % allowed; nothing changed',
          matching, max_rows USING ERRCODE = 'AF009';
      END IF;
      IF dry_run THEN
        RETURN QUERY
          SELECT o.id, o.tenant_id, o.event_type,
                 o.aggregate_type || '/' || o.aggregate_id || ' v' || o.aggregate_version, o.occurred_at
            FROM outbox o
           WHERE o.status = 'dead' AND (ids IS NULL OR o.id = ANY(ids))
             AND (only_tenant IS NULL OR o.tenant_id = only_tenant)
           ORDER BY o.id;
        RETURN;
      END IF;
      RETURN QUERY
        WITH queued AS (
          UPDATE outbox o
             SET status = 'pending', attempts = 0, next_attempt_at = now(),
                 claimed_by = NULL, claimed_until = NULL
           WHERE o.status = 'dead' AND (ids IS NULL OR o.id = ANY(ids))
             AND (only_tenant IS NULL OR o.tenant_id = only_tenant)
          RETURNING o.id, o.tenant_id, o.event_type,
                    o.aggregate_type || '/' || o.aggregate_id || ' v' || o.aggregate_version AS aggregate,
                    o.occurred_at
        ), recorded AS (
          INSERT INTO operator_actions (id, tenant_id, actor, action, target_event_id, reason,
                                        correlation_id)
          SELECT gen_random_uuid(), q.tenant_id, btrim(by_actor), 'retry_dead_event', q.id,
                 btrim(why), correlation
            FROM queued q
        )
        SELECT q.id, q.tenant_id, q.event_type, q.aggregate, q.occurred_at FROM queued q;
      PERFORM pg_notify('outbox_pending', '');
    END $$;

    REVOKE EXECUTE ON FUNCTION require_requeue_record(boolean, text, text, text) FROM PUBLIC;
    REVOKE EXECUTE ON FUNCTION
      replay_events(timestamptz, timestamptz, text, text, integer, boolean, text, text, text)
      FROM PUBLIC;
    REVOKE EXECUTE ON FUNCTION
      retry_dead_events(uuid[], text, integer, boolean, text, text, text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION
      replay_events(timestamptz, timestamptz, text, text, integer, boolean, text, text, text)
      TO auditflow_operator;
    GRANT EXECUTE ON FUNCTION
      retry_dead_events(uuid[], text, integer, boolean, text, text, text) TO auditflow_operator;
    -- The versions that record nothing.
    REVOKE EXECUTE ON FUNCTION replay_events(timestamptz, timestamptz, text, text, integer, boolean)
      FROM auditflow_operator;
    REVOKE EXECUTE ON FUNCTION retry_dead_events(uuid[], text, integer, boolean)
      FROM auditflow_operator;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    GRANT EXECUTE ON FUNCTION replay_events(timestamptz, timestamptz, text, text, integer, boolean)
      TO auditflow_operator;
    GRANT EXECUTE ON FUNCTION retry_dead_events(uuid[], text, integer, boolean)
      TO auditflow_operator;
    DROP FUNCTION retry_dead_events(uuid[], text, integer, boolean, text, text, text);
    DROP FUNCTION replay_events(timestamptz, timestamptz, text, text, integer, boolean, text, text, text);
    DROP FUNCTION require_requeue_record(boolean, text, text, text);
    ALTER TABLE operator_actions DROP COLUMN login_role;
    -- Recorded replays stay (the table is append-only); the narrower check binds new rows only.
    ALTER TABLE operator_actions DROP CONSTRAINT operator_actions_action_check;
    ALTER TABLE operator_actions ADD CONSTRAINT operator_actions_action_check
      CHECK (action IN ('retry_dead_event', 'skip_dead_event')) NOT VALID;
  `.execute(db);
}
