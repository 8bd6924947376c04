import { type Kysely, sql } from 'kysely';

/**
 * A dead event holds back its aggregate, and an operator may skip it.
 *
 * Until now a dead event was left behind while its aggregate's later
 * versions went out: subscribers saw version 3 without ever seeing version
 * 2, and a retry of version 2 then arrived after 3. From here on a dead
 * event blocks the later versions of its aggregate (the relay's claim treats
 * it like a pending one that is not due), until an operator either retries
 * it (retry_dead_event(), published first, in order) or skips it.
 *
 * skip_dead_event() records the skip in operator_actions (who, why, under
 * which correlation id) and marks the event `skipped` in one statement, so
 * neither happens without the other. A skipped event is never sent; the
 * aggregate's later versions then go. Like retry, it returns nothing when
 * the event is not dead, so a repeat records nothing, and the API's role
 * acts only for the tenant its transaction names.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
    ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
      CHECK (status IN ('pending', 'published', 'dead', 'skipped'));

    -- The claim asks, per candidate, whether an earlier version is dead.
    CREATE INDEX outbox_dead_by_aggregate ON outbox (aggregate_type, aggregate_id, aggregate_version)
      WHERE status = 'dead';

    CREATE FUNCTION skip_dead_event(action_id uuid, only_tenant text, event_id uuid,
                                    by_actor text, why text, correlation text)
      RETURNS TABLE (id uuid, tenant_id text, at timestamptz) LANGUAGE sql
      SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
      WITH skipped AS (
        UPDATE outbox o
           SET status = 'skipped', claimed_by = NULL, claimed_until = NULL
         WHERE o.id = event_id AND o.status = 'dead'
           AND (only_tenant IS NULL OR o.tenant_id = only_tenant)
           AND (session_user <> 'auditflow_api'
                OR o.tenant_id = current_setting('auditflow.tenant_id', true))
        RETURNING o.id, o.tenant_id
      ), recorded AS (
        INSERT INTO operator_actions (id, tenant_id, actor, action, target_event_id, reason,
                                      correlation_id)
        SELECT action_id, s.tenant_id, by_actor, 'skip_dead_event', s.id, why, correlation
          FROM skipped s
        RETURNING operator_actions.id, operator_actions.tenant_id, operator_actions.at
      ), woken AS (
        -- The aggregate's later versions can go now: wake the relay.
        SELECT pg_notify('outbox_pending', '') FROM recorded
      )
      SELECT recorded.id, recorded.tenant_id, recorded.at FROM recorded, woken
    $$;
    REVOKE EXECUTE ON FUNCTION skip_dead_event(uuid, text, uuid, text, text, text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION skip_dead_event(uuid, text, uuid, text, text, text)
      TO auditflow_api, auditflow_operator;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP FUNCTION skip_dead_event(uuid, text, uuid, text, text, text);
    DROP INDEX outbox_dead_by_aggregate;
    UPDATE outbox SET status = 'dead' WHERE status = 'skipped';
    ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
    ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
      CHECK (status IN ('pending', 'published', 'dead'));
  `.execute(db);
}
