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
 *   the correlation id. Each runs its guard-railed version of 0013 (tenant,
 *   cap, dry run, horizon) and inserts one operator_actions row per event it
 *   queued, in the same statement: one cannot happen without the other. A
 *   dry run records nothing and needs neither.
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

    -- Each new version runs the guard-railed one of 0013 (the owner may still call it) and
    -- records, in the same statement, one action per event it queued: the rails are theirs,
    -- the record is this one's.
    CREATE FUNCTION replay_events(from_time timestamptz, to_time timestamptz, only_type text,
                                  only_tenant text, max_rows integer, dry_run boolean,
                                  by_actor text, why text, correlation text)
      RETURNS TABLE (id uuid, tenant_id text, event_type text, aggregate text,
                     occurred_at timestamptz)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      PERFORM require_requeue_record(dry_run, by_actor, why, correlation);
      RETURN QUERY
        WITH queued AS (
          SELECT * FROM replay_events(from_time, to_time, only_type, only_tenant, max_rows, dry_run)
        ), recorded AS (
          INSERT INTO operator_actions (id, tenant_id, actor, action, target_event_id, reason,
                                        correlation_id)
          SELECT gen_random_uuid(), q.tenant_id, btrim(by_actor), 'replay_event', q.id, btrim(why),
                 correlation
            FROM queued q WHERE NOT dry_run
        )
        SELECT q.id, q.tenant_id, q.event_type, q.aggregate, q.occurred_at FROM queued q;
    END $$;

    CREATE FUNCTION retry_dead_events(ids uuid[], only_tenant text, max_rows integer,
                                      dry_run boolean, by_actor text, why text,
                                      correlation text)
      RETURNS TABLE (id uuid, tenant_id text, event_type text, aggregate text,
                     occurred_at timestamptz)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      PERFORM require_requeue_record(dry_run, by_actor, why, correlation);
      RETURN QUERY
        WITH queued AS (
          SELECT * FROM retry_dead_events(ids, only_tenant, max_rows, dry_run)
        ), recorded AS (
          INSERT INTO operator_actions (id, tenant_id, actor, action, target_event_id, reason,
                                        correlation_id)
          SELECT gen_random_uuid(), q.tenant_id, btrim(by_actor), 'retry_dead_event', q.id,
                 btrim(why), correlation
            FROM queued q WHERE NOT dry_run
        )
        SELECT q.id, q.tenant_id, q.event_type, q.aggregate, q.occurred_at FROM queued q;
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
