import { type Kysely, sql } from 'kysely';

/**
 * What an operator does to delivery state is audited like a business change:
 * who, in which tenant, what, to which event, why, under which correlation
 * id, and when.
 *
 * - operator_actions is append-only (the same refuse_change trigger as
 *   audit_log) and no login role may write it directly: a row only ever
 *   comes from retry_dead_event(), which records the action and revives the
 *   event in one statement, so neither can happen without the other.
 * - `action` is a closed list that starts with retry_dead_event; a later
 *   skip_dead_event is already allowed by the check, so adding it needs only
 *   its function.
 * - No foreign key to the outbox: published events are pruned, the record of
 *   what was done to them stays.
 * - retry_dead_event() is granted to auditflow_api, the role the HTTP routes
 *   run under (the console's retry is one of them), and to
 *   auditflow_operator. It revives one dead event of the named tenant (any
 *   tenant when tenant is NULL, for the platform scope) and returns nothing
 *   when the event is not dead, so a repeated retry changes nothing and
 *   records nothing.
 *
 * The console's reads get the indexes they need: the timeline finds
 * transitions by entity, correlation id or event id and the changes an event
 * caused by causation id, and receipts by event id (ids are unique enough
 * that the tenant is checked on the row, so a platform search across tenants
 * uses the same indexes); the outbox view counts a tenant's events by time. History tables are insert-only, so these cost an
 * index entry per audited write and never a non-HOT update; the outbox index
 * is on columns the relay never changes, so its leases stay HOT updates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE operator_actions (
      id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      actor text NOT NULL,
      action text NOT NULL CHECK (action IN ('retry_dead_event', 'skip_dead_event')),
      target_event_id uuid NOT NULL,
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      correlation_id text NOT NULL,
      at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX operator_actions_by_tenant ON operator_actions (tenant_id, at);
    CREATE INDEX operator_actions_by_event ON operator_actions (target_event_id);
    CREATE TRIGGER operator_actions_append_only BEFORE UPDATE OR DELETE ON operator_actions
      FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER operator_actions_no_truncate BEFORE TRUNCATE ON operator_actions
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

    CREATE FUNCTION retry_dead_event(action_id uuid, only_tenant text, event_id uuid,
                                     by_actor text, why text, correlation text)
      RETURNS TABLE (id uuid, tenant_id text, at timestamptz) LANGUAGE sql
      SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
      WITH revived AS (
        UPDATE outbox o
           SET status = 'pending', attempts = 0, next_attempt_at = now(),
               claimed_by = NULL, claimed_until = NULL
         WHERE o.id = event_id AND o.status = 'dead'
           AND (only_tenant IS NULL OR o.tenant_id = only_tenant)
           -- The API's role acts for the tenant its transaction names, and no
           -- other: this function runs as the owner, past row-level security.
           AND (session_user <> 'auditflow_api'
                OR o.tenant_id = current_setting('auditflow.tenant_id', true))
        RETURNING o.id, o.tenant_id
      ), recorded AS (
        INSERT INTO operator_actions (id, tenant_id, actor, action, target_event_id, reason,
                                      correlation_id)
        SELECT action_id, r.tenant_id, by_actor, 'retry_dead_event', r.id, why, correlation
          FROM revived r
        RETURNING operator_actions.id, operator_actions.tenant_id, operator_actions.at
      ), woken AS (
        -- The relay listens on this channel: it claims the event at once.
        SELECT pg_notify('outbox_pending', '') FROM recorded
      )
      SELECT recorded.id, recorded.tenant_id, recorded.at FROM recorded, woken
    $$;
    REVOKE EXECUTE ON FUNCTION retry_dead_event(uuid, text, uuid, text, text, text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION retry_dead_event(uuid, text, uuid, text, text, text)
      TO auditflow_api, auditflow_operator;
    GRANT SELECT ON operator_actions TO auditflow_api, auditflow_operator;
    -- The platform timeline reads receipts across tenants.
    GRANT SELECT ON inbox TO auditflow_operator;

    -- Row-level security as on every tenant table (0008): the API's role sees
    -- the tenant its transaction names; the operator reads across tenants;
    -- the owner's retry_dead_event() writes.
    ALTER TABLE operator_actions ENABLE ROW LEVEL SECURITY;
    ALTER TABLE operator_actions FORCE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON operator_actions TO auditflow_api
      USING (tenant_id = current_setting('auditflow.tenant_id', true))
      WITH CHECK (tenant_id = current_setting('auditflow.tenant_id', true));
    CREATE POLICY operator_reads ON operator_actions FOR SELECT TO auditflow_operator USING (true);
    DO $$
    BEGIN
      EXECUTE format('CREATE POLICY owner_functions ON operator_actions TO %I USING (true) WITH CHECK (true)', current_user);
    END $$;

    CREATE INDEX state_transitions_by_entity ON state_transitions (aggregate_id);
    CREATE INDEX state_transitions_by_correlation ON state_transitions (correlation_id);
    CREATE INDEX state_transitions_by_event ON state_transitions (outbox_id);
    CREATE INDEX audit_log_by_causation ON audit_log (causation_id) WHERE causation_id IS NOT NULL;
    CREATE INDEX inbox_by_event ON inbox (event_id);
    CREATE INDEX outbox_by_tenant_time ON outbox (tenant_id, occurred_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX outbox_by_tenant_time;
    DROP INDEX inbox_by_event;
    DROP INDEX audit_log_by_causation;
    DROP INDEX state_transitions_by_event;
    DROP INDEX state_transitions_by_correlation;
    DROP INDEX state_transitions_by_entity;
    REVOKE SELECT ON inbox FROM auditflow_operator;
    DROP FUNCTION retry_dead_event(uuid, text, uuid, text, text, text);
    DROP TABLE operator_actions;
  `.execute(db);
}
