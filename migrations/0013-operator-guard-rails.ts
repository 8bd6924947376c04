import { type Kysely, sql } from 'kysely';

/**
 * Guard rails for what operators do to delivery state, and a bounded inbox.
 *
 * - inbox_retention: how long a subscriber's receipt (its inbox row) is
 *   kept. One setting, held by the database so the relay that prunes and the
 *   replay that must not outrun the pruning cannot disagree; only the owner
 *   (the migrator, from configuration) changes it.
 * - prune_inbox(): the relay forgets receipts older than the retention,
 *   without ever reading the inbox (which says what each subscriber did).
 * - replay_events() and retry_dead_events() in new versions: limited to one
 *   tenant if asked, a dry run that changes nothing, and a cap on how many
 *   rows may change, so what an operator confirmed is what happens. A replay
 *   refuses events older than the retention minus a day: their receipts may
 *   be gone by the time the relay delivers them, and a subscriber would then
 *   apply them twice. The first versions (0006) lose the operator's EXECUTE,
 *   since they bypass both.
 * - subscriber dead letters can be marked redriven (by the operator, through
 *   mark_dead_letters_redriven()), so a redrive that succeeded is not
 *   offered again while the letter stays as a record.
 *
 * SQLSTATEs: AF008 a replay reaching events older than the inbox retention
 * allows, AF009 more rows match than the caller allowed to change.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE inbox_retention (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      -- Two days at least: a replay keeps one day away from the edge.
      keep_for interval NOT NULL DEFAULT '30 days' CHECK (keep_for >= interval '2 days')
    );
    INSERT INTO inbox_retention DEFAULT VALUES;
    GRANT SELECT ON inbox_retention TO auditflow_relay, auditflow_operator;

    -- The prune walks receipts oldest first.
    CREATE INDEX inbox_by_processed_at ON inbox (processed_at);

    CREATE FUNCTION prune_inbox(max_rows integer) RETURNS integer LANGUAGE sql SECURITY DEFINER
      SET search_path = pg_catalog, public, pg_temp AS $$
      WITH doomed AS (
        SELECT subscriber, event_id FROM inbox
         WHERE processed_at < now() - (SELECT keep_for FROM inbox_retention)
         ORDER BY processed_at
         LIMIT max_rows
      ), deleted AS (
        DELETE FROM inbox i USING doomed d
         WHERE i.subscriber = d.subscriber AND i.event_id = d.event_id
        RETURNING 1
      )
      SELECT count(*)::int FROM deleted
    $$;
    REVOKE EXECUTE ON FUNCTION prune_inbox(integer) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION prune_inbox(integer) TO auditflow_relay;

    -- The oldest event a replay may send again. A receipt is written when the
    -- event is processed, never before it occurred, so an event at or after
    -- this instant still has its receipt for a day at least: time enough for
    -- the relay to deliver what the replay queued.
    CREATE FUNCTION replay_horizon() RETURNS timestamptz LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, public, pg_temp AS $$
      SELECT now() - (SELECT keep_for FROM inbox_retention) + interval '1 day'
    $$;

    CREATE FUNCTION replay_events(from_time timestamptz, to_time timestamptz, only_type text,
                                  only_tenant text, max_rows integer, dry_run boolean)
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
        UPDATE outbox o
           SET status = 'pending', attempts = 0, next_attempt_at = now(), published_at = NULL,
               claimed_by = NULL, claimed_until = NULL
         WHERE o.status IN ('published', 'dead')
           AND o.occurred_at >= from_time AND o.occurred_at < to_time
           AND (only_type IS NULL OR o.event_type = only_type)
           AND (only_tenant IS NULL OR o.tenant_id = only_tenant)
        RETURNING o.id, o.tenant_id, o.event_type,
                  o.aggregate_type || '/' || o.aggregate_id || ' v' || o.aggregate_version, o.occurred_at;
      PERFORM pg_notify('outbox_pending', '');
    END $$;

    CREATE FUNCTION retry_dead_events(ids uuid[], only_tenant text, max_rows integer,
                                      dry_run boolean)
      RETURNS TABLE (id uuid, tenant_id text, event_type text, aggregate text,
                     occurred_at timestamptz)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      matching integer;
    BEGIN
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
        UPDATE outbox o
           SET status = 'pending', attempts = 0, next_attempt_at = now(),
               claimed_by = NULL, claimed_until = NULL
         WHERE o.status = 'dead' AND (ids IS NULL OR o.id = ANY(ids))
           AND (only_tenant IS NULL OR o.tenant_id = only_tenant)
        RETURNING o.id, o.tenant_id, o.event_type,
                  o.aggregate_type || '/' || o.aggregate_id || ' v' || o.aggregate_version, o.occurred_at;
      PERFORM pg_notify('outbox_pending', '');
    END $$;

    REVOKE EXECUTE ON FUNCTION replay_horizon() FROM PUBLIC;
    REVOKE EXECUTE ON FUNCTION replay_events(timestamptz, timestamptz, text, text, integer, boolean) FROM PUBLIC;
    REVOKE EXECUTE ON FUNCTION retry_dead_events(uuid[], text, integer, boolean) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION replay_horizon() TO auditflow_operator;
    GRANT EXECUTE ON FUNCTION replay_events(timestamptz, timestamptz, text, text, integer, boolean)
      TO auditflow_operator;
    GRANT EXECUTE ON FUNCTION retry_dead_events(uuid[], text, integer, boolean) TO auditflow_operator;
    -- The first versions know no horizon and no cap.
    REVOKE EXECUTE ON FUNCTION replay_events(timestamptz, timestamptz, text) FROM auditflow_operator;
    REVOKE EXECUTE ON FUNCTION retry_dead_events(uuid[]) FROM auditflow_operator;

    ALTER TABLE subscriber_dead_letters ADD COLUMN redriven_at timestamptz;
    -- Marks letters redriven, once: a letter already marked keeps its first time.
    CREATE FUNCTION mark_dead_letters_redriven(letter_ids bigint[]) RETURNS SETOF bigint
      LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
      UPDATE subscriber_dead_letters SET redriven_at = now()
       WHERE id = ANY(letter_ids) AND redriven_at IS NULL
      RETURNING id
    $$;
    REVOKE EXECUTE ON FUNCTION mark_dead_letters_redriven(bigint[]) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION mark_dead_letters_redriven(bigint[]) TO auditflow_operator;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP FUNCTION mark_dead_letters_redriven(bigint[]);
    ALTER TABLE subscriber_dead_letters DROP COLUMN redriven_at;
    GRANT EXECUTE ON FUNCTION retry_dead_events(uuid[]) TO auditflow_operator;
    GRANT EXECUTE ON FUNCTION replay_events(timestamptz, timestamptz, text) TO auditflow_operator;
    DROP FUNCTION retry_dead_events(uuid[], text, integer, boolean);
    DROP FUNCTION replay_events(timestamptz, timestamptz, text, text, integer, boolean);
    DROP FUNCTION replay_horizon();
    DROP FUNCTION prune_inbox(integer);
    DROP INDEX inbox_by_processed_at;
    DROP TABLE inbox_retention;
  `.execute(db);
}
