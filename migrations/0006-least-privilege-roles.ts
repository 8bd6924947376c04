import { type Kysely, sql } from 'kysely';

/**
 * Least privilege: every part of the system connects with a role of its
 * own, and only the role that runs migrations owns anything.
 *
 * - auditflow_api: the API handlers and the subscribers, through the write
 *   unit. Reads and writes what the write unit writes (domain rows, history,
 *   idempotency keys, the subscribers' inbox and read model), never DELETE
 *   or TRUNCATE; of the outbox it may insert the event columns only, so
 *   delivery state and the database-stamped columns are out of its reach.
 * - auditflow_relay: reads the outbox, changes only its delivery columns,
 *   deletes (published) events, moves the retention horizon, and forgets
 *   old idempotency keys through prune_idempotency_keys(), which never shows
 *   it their content.
 * - auditflow_operator: reads the outbox and the history; revives dead
 *   events and replays published ones only through retry_dead_events() and
 *   replay_events().
 *
 * The roles are created without LOGIN and without a password: passwords are
 * configuration, not schema, and are set after migrating (see
 * configureLoginRoles in @auditflow/db). Roles belong to the cluster, so
 * creating them tolerates their existing already (another database of the
 * same server, or a second run). None is a superuser, none may create roles
 * or databases, none bypasses row-level security, none inherits.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$
    DECLARE
      name text;
    BEGIN
      FOREACH name IN ARRAY ARRAY['auditflow_api', 'auditflow_relay', 'auditflow_operator'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) THEN
          EXECUTE format('CREATE ROLE %I NOLOGIN', name);
        END IF;
        EXECUTE format(
          'ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS',
          name);
      END LOOP;
    END $$;

    -- Functions are executable by everyone unless revoked; the trigger
    -- functions need no EXECUTE to fire, and the narrow functions below are
    -- granted one by one.
    REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
    -- No role but the owner creates objects (Postgres 15 already refuses
    -- PUBLIC; older servers and upgraded clusters do not).
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    GRANT USAGE ON SCHEMA public TO auditflow_api, auditflow_relay, auditflow_operator;

    GRANT SELECT, INSERT, UPDATE ON payroll_runs, ewa_requests TO auditflow_api;
    -- History is append-only and its transaction id and time are stamped by
    -- the database: the writer names every other column, not those.
    -- outbox_retention: the operator routes' reconcile report reads the horizon.
    GRANT SELECT ON audit_log, state_transitions, outbox, outbox_retention TO auditflow_api;
    GRANT INSERT (id, tenant_id, actor, action, entity_type, entity_id, entity_version, before,
                  after, correlation_id, causation_id) ON audit_log TO auditflow_api;
    GRANT INSERT (id, tenant_id, aggregate_type, aggregate_id, version, command, from_status,
                  to_status, actor, correlation_id, audit_id, outbox_id)
      ON state_transitions TO auditflow_api;
    GRANT INSERT (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                  payload, correlation_id, causation_id, actor) ON outbox TO auditflow_api;
    GRANT SELECT, INSERT ON idempotency_keys TO auditflow_api;
    GRANT UPDATE (aggregate_id, result) ON idempotency_keys TO auditflow_api;
    GRANT SELECT, INSERT ON inbox, subscriber_dead_letters TO auditflow_api;
    GRANT SELECT, INSERT, UPDATE ON dashboard_aggregates TO auditflow_api;

    GRANT SELECT, DELETE ON outbox TO auditflow_relay;
    GRANT UPDATE (status, attempts, next_attempt_at, last_error, published_at, claimed_by,
                  claimed_until) ON outbox TO auditflow_relay;
    GRANT SELECT, INSERT, UPDATE (pruned_before) ON outbox_retention TO auditflow_relay;

    GRANT SELECT ON outbox, outbox_retention, audit_log, state_transitions,
                    subscriber_dead_letters TO auditflow_operator;

    -- The relay forgets idempotency keys by age alone: it never needs to
    -- see a key's stored result, so it gets this function, not the table.
    CREATE FUNCTION prune_idempotency_keys(older_than interval, max_rows integer)
      RETURNS integer LANGUAGE sql SECURITY DEFINER
      SET search_path = pg_catalog, public, pg_temp AS $$
      WITH doomed AS (
        SELECT tenant_id, key FROM idempotency_keys
         WHERE created_at < now() - older_than
         ORDER BY created_at
         LIMIT max_rows
      ), deleted AS (
        DELETE FROM idempotency_keys k USING doomed d
         WHERE k.tenant_id = d.tenant_id AND k.key = d.key
        RETURNING 1
      )
      SELECT count(*)::int FROM deleted
    $$;
    REVOKE EXECUTE ON FUNCTION prune_idempotency_keys(interval, integer) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION prune_idempotency_keys(interval, integer) TO auditflow_relay;

    -- The operator's only ways to change delivery state: a dead event (or
    -- every dead one) starts over; events of a time range are sent again.
    CREATE FUNCTION retry_dead_events(ids uuid[]) RETURNS SETOF uuid LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      RETURN QUERY
        UPDATE outbox
           SET status = 'pending', attempts = 0, next_attempt_at = now(),
               claimed_by = NULL, claimed_until = NULL
         WHERE status = 'dead' AND (ids IS NULL OR id = ANY(ids))
        RETURNING id;
      PERFORM pg_notify('outbox_pending', '');
    END $$;
    CREATE FUNCTION replay_events(from_time timestamptz, to_time timestamptz, only_type text)
      RETURNS SETOF uuid LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      RETURN QUERY
        UPDATE outbox
           SET status = 'pending', attempts = 0, next_attempt_at = now(), published_at = NULL,
               claimed_by = NULL, claimed_until = NULL
         WHERE status IN ('published', 'dead')
           AND occurred_at >= from_time AND occurred_at < to_time
           AND (only_type IS NULL OR event_type = only_type)
        RETURNING id;
      PERFORM pg_notify('outbox_pending', '');
    END $$;
    REVOKE EXECUTE ON FUNCTION retry_dead_events(uuid[]) FROM PUBLIC;
    REVOKE EXECUTE ON FUNCTION replay_events(timestamptz, timestamptz, text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION retry_dead_events(uuid[]) TO auditflow_operator;
    GRANT EXECUTE ON FUNCTION replay_events(timestamptz, timestamptz, text) TO auditflow_operator;
  `.execute(db);
}

/** Revokes what `up` granted; the roles stay, since other databases of the server may use them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP FUNCTION replay_events(timestamptz, timestamptz, text);
    DROP FUNCTION retry_dead_events(uuid[]);
    DROP FUNCTION prune_idempotency_keys(interval, integer);
    REVOKE ALL ON ALL TABLES IN SCHEMA public FROM auditflow_api, auditflow_relay, auditflow_operator;
    REVOKE USAGE ON SCHEMA public FROM auditflow_api, auditflow_relay, auditflow_operator;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
  `.execute(db);
}
