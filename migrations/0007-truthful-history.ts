import { type Kysely, sql } from 'kysely';

/**
 * History says what happened, and nothing a writing transaction does can
 * make it say otherwise.
 *
 * At commit, each domain row version written must have, from its own
 * transaction, tenant and actor: an audit row whose `after` is that row
 * version and whose `before` is the previous version's `after`; an event
 * still pending; and a transition whose statuses are the previous and the
 * new version's, which references that audit row and that event, and whose
 * (command, from, to, event type) is a legal move of `legal_transitions`.
 *
 * Running these checks early (SET CONSTRAINTS … IMMEDIATE) cannot help a
 * writer either: every row a check reads is then out of its reach. History
 * tables are append-only, an event's content is immutable, the API's role
 * may not update or delete outbox rows at all, and no role may change an
 * event's delivery state in the transaction that wrote it (so an event seen
 * pending at the check is pending at commit). A rolled-back savepoint
 * re-arms the checks it ran.
 *
 * Also: the database stamps `occurred_at` (with the transaction id) on
 * history rows; the retention horizon moves only forward and never past
 * now(); and a history row's "written by this transaction" check accepts a
 * domain row written in a savepoint (its xmin is the subtransaction's id,
 * not the top-level one).
 *
 * `legal_transitions` is filled from the TypeScript state machines after
 * migrating (syncLegalTransitions in @auditflow/domain), so the two cannot
 * drift; until then it is empty, and every write is refused.
 *
 * SQLSTATEs: AF004 delivery state changed by the writing transaction, AF005
 * retention horizon moved backwards or into the future, AF006 history that
 * disagrees with the row, AF007 a transition the state machine does not
 * allow.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE legal_transitions (
      aggregate_type text NOT NULL,
      command text NOT NULL,
      -- NULL: the creation of the aggregate.
      from_status text,
      to_status text NOT NULL,
      event_type text NOT NULL
    );
    CREATE UNIQUE INDEX legal_transitions_key
      ON legal_transitions (aggregate_type, command, coalesce(from_status, ''), to_status, event_type);
    GRANT SELECT ON legal_transitions TO auditflow_api, auditflow_operator;

    -- created_at decides when an idempotency key is forgotten: the
    -- database's to choose, not the writer's.
    REVOKE INSERT ON idempotency_keys FROM auditflow_api;
    GRANT INSERT (tenant_id, key, fingerprint, aggregate_type, aggregate_id, result)
      ON idempotency_keys TO auditflow_api;

    -- The write unit stores snapshots of rows as the application reads them:
    -- instants at millisecond precision, in UTC. Everything else must be
    -- equal as JSON.
    CREATE FUNCTION snapshot_matches(actual jsonb, claimed jsonb) RETURNS boolean
      LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
      SELECT claimed IS NOT NULL AND jsonb_typeof(claimed) = 'object'
         AND actual - 'created_at' - 'updated_at' = claimed - 'created_at' - 'updated_at'
         AND (SELECT bool_and(
                     jsonb_typeof(claimed -> col) = 'string'
                 AND abs(extract(epoch FROM (actual ->> col)::timestamptz - (claimed ->> col)::timestamptz)) < 0.001)
                FROM unnest(ARRAY['created_at', 'updated_at']) AS col)
    $$;

    -- Replaces 0002's check: besides their existence, the history rows must
    -- agree with the row and with each other.
    CREATE OR REPLACE FUNCTION require_audited_change() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      expected_type text := TG_ARGV[0];
      current_tx xid8 := pg_current_xact_id();
      a audit_log%ROWTYPE;
      o outbox%ROWTYPE;
      t state_transitions%ROWTYPE;
      previous_after jsonb;
    BEGIN
      -- Each lookup is one index probe on its table's unique key.
      SELECT * INTO a FROM audit_log
       WHERE entity_type = expected_type AND entity_id = NEW.id AND entity_version = NEW.version;
      IF a.id IS NULL OR a.txid <> current_tx OR a.tenant_id <> NEW.tenant_id THEN
        RAISE EXCEPTION 'unaudited change: % % version % has no audit row in its transaction',
          expected_type, NEW.id, NEW.version USING ERRCODE = 'AF001';
      END IF;
      SELECT * INTO o FROM outbox
       WHERE aggregate_type = expected_type AND aggregate_id = NEW.id AND aggregate_version = NEW.version;
      IF o.id IS NULL OR o.txid <> current_tx OR o.tenant_id <> NEW.tenant_id THEN
        RAISE EXCEPTION 'unaudited change: % % version % has no outbox event in its transaction',
          expected_type, NEW.id, NEW.version USING ERRCODE = 'AF001';
      END IF;
      IF o.status <> 'pending' THEN
        RAISE EXCEPTION 'unaudited change: the event of % % version % is % before it was committed',
          expected_type, NEW.id, NEW.version, o.status USING ERRCODE = 'AF001';
      END IF;
      SELECT * INTO t FROM state_transitions
       WHERE aggregate_type = expected_type AND aggregate_id = NEW.id AND version = NEW.version;
      IF t.id IS NULL OR t.txid <> current_tx OR t.tenant_id <> NEW.tenant_id THEN
        RAISE EXCEPTION 'unaudited change: % % version % has no state transition in its transaction',
          expected_type, NEW.id, NEW.version USING ERRCODE = 'AF001';
      END IF;

      IF NOT snapshot_matches(to_jsonb(NEW), a.after) THEN
        RAISE EXCEPTION 'untrue history: the audit row of % % version % does not record the row as written',
          expected_type, NEW.id, NEW.version USING ERRCODE = 'AF006';
      END IF;
      IF NEW.version = 1 THEN
        IF a.before IS NOT NULL OR t.from_status IS NOT NULL THEN
          RAISE EXCEPTION 'untrue history: % % version 1 has no previous version', expected_type, NEW.id
            USING ERRCODE = 'AF006';
        END IF;
      ELSE
        SELECT p.after INTO previous_after FROM audit_log p
         WHERE p.entity_type = expected_type AND p.entity_id = NEW.id AND p.entity_version = NEW.version - 1;
        IF NOT snapshot_matches(previous_after, a.before)
           OR t.from_status IS DISTINCT FROM previous_after ->> 'status' THEN
          RAISE EXCEPTION 'untrue history: % % version % does not start from version %',
            expected_type, NEW.id, NEW.version, NEW.version - 1 USING ERRCODE = 'AF006';
        END IF;
      END IF;
      IF t.to_status <> NEW.status OR t.audit_id <> a.id OR t.outbox_id <> o.id
         OR t.actor <> a.actor OR o.actor <> a.actor
         OR t.correlation_id <> a.correlation_id OR o.correlation_id <> a.correlation_id THEN
        RAISE EXCEPTION 'untrue history: the transition of % % version % does not match its audit row, event and row',
          expected_type, NEW.id, NEW.version USING ERRCODE = 'AF006';
      END IF;
      IF NOT EXISTS (
        SELECT 1 FROM legal_transitions l
         WHERE l.aggregate_type = expected_type AND l.command = t.command
           AND coalesce(l.from_status, '') = coalesce(t.from_status, '')
           AND l.to_status = t.to_status AND l.event_type = o.event_type
      ) THEN
        RAISE EXCEPTION 'illegal transition: % % -> % by % with %', expected_type,
          coalesce(t.from_status, '(new)'), t.to_status, t.command, o.event_type USING ERRCODE = 'AF007';
      END IF;
      RETURN NULL;
    END $$;

    -- A visible row version whose writer is still in progress can only be
    -- this transaction's own: the top-level transaction or one of its
    -- savepoints. The full transaction id of xmin is rebuilt from the current
    -- epoch; a row written across an epoch boundary (once per 2^32
    -- transactions) is refused rather than guessed at.
    CREATE FUNCTION written_by_this_transaction(row_xmin xid) RETURNS boolean
      LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      top bigint := pg_current_xact_id()::text::bigint;
      full_xid bigint := (top & ~4294967295::bigint) | row_xmin::text::bigint;
    BEGIN
      IF full_xid < top THEN
        RETURN false;
      END IF;
      RETURN pg_xact_status(full_xid::text::xid8) = 'in progress';
    END $$;

    -- The checks run as the writing role, which may call these two helpers
    -- (they read nothing but their arguments and the transaction's own state).
    GRANT EXECUTE ON FUNCTION snapshot_matches(jsonb, jsonb) TO auditflow_api;
    GRANT EXECUTE ON FUNCTION written_by_this_transaction(xid) TO auditflow_api;

    CREATE OR REPLACE FUNCTION require_recorded_change() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      recorded_type text;
      recorded_id uuid;
      recorded_version integer;
      written boolean;
    BEGIN
      IF TG_TABLE_NAME = 'audit_log' THEN
        recorded_type := NEW.entity_type; recorded_id := NEW.entity_id; recorded_version := NEW.entity_version;
      ELSIF TG_TABLE_NAME = 'outbox' THEN
        recorded_type := NEW.aggregate_type; recorded_id := NEW.aggregate_id; recorded_version := NEW.aggregate_version;
      ELSE
        recorded_type := NEW.aggregate_type; recorded_id := NEW.aggregate_id; recorded_version := NEW.version;
      END IF;
      IF recorded_type = 'payroll_run' THEN
        SELECT written_by_this_transaction(r.xmin) AND r.version >= recorded_version AND r.tenant_id = NEW.tenant_id
          INTO written FROM payroll_runs r WHERE r.id = recorded_id;
      ELSIF recorded_type = 'ewa_request' THEN
        SELECT written_by_this_transaction(r.xmin) AND r.version >= recorded_version AND r.tenant_id = NEW.tenant_id
          INTO written FROM ewa_requests r WHERE r.id = recorded_id;
      END IF;
      IF written IS NOT TRUE THEN
        RAISE EXCEPTION 'unrecorded change: % row for % % version % without that change in its transaction',
          TG_TABLE_NAME, recorded_type, recorded_id, recorded_version USING ERRCODE = 'AF001';
      END IF;
      RETURN NULL;
    END $$;

    -- When a history row happened is the database's clock, not the writer's:
    -- the prune horizon and reconciliation read it.
    CREATE OR REPLACE FUNCTION stamp_writing_transaction() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      NEW.txid := pg_current_xact_id();
      NEW.occurred_at := now();
      RETURN NEW;
    END $$;

    -- Delivery state is decided after the commit, by someone else: an event
    -- its own transaction marked published (or deleted) would never leave.
    CREATE FUNCTION refuse_own_delivery() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      RAISE EXCEPTION 'outbox event % cannot be % by the transaction that wrote it', OLD.id,
        CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END USING ERRCODE = 'AF004';
    END $$;
    -- The condition is evaluated without entering PL/pgSQL, so the relay's
    -- two updates per event pay almost nothing for it.
    CREATE TRIGGER outbox_delivered_after_commit BEFORE UPDATE OR DELETE ON outbox
      FOR EACH ROW WHEN (OLD.txid = pg_current_xact_id()) EXECUTE FUNCTION refuse_own_delivery();

    CREATE FUNCTION guard_retention_horizon() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      IF NEW.pruned_before > now() THEN
        RAISE EXCEPTION 'the retention horizon cannot pass now()' USING ERRCODE = 'AF005';
      END IF;
      IF TG_OP = 'UPDATE' AND NEW.pruned_before < OLD.pruned_before THEN
        RAISE EXCEPTION 'the retention horizon only moves forward' USING ERRCODE = 'AF005';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER outbox_retention_forward BEFORE INSERT OR UPDATE ON outbox_retention
      FOR EACH ROW EXECUTE FUNCTION guard_retention_horizon();
    CREATE TRIGGER outbox_retention_kept BEFORE DELETE ON outbox_retention
      FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER outbox_retention_no_truncate BEFORE TRUNCATE ON outbox_retention
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
  `.execute(db);
}

/** Back to 0002's checks (the functions as they were there). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER outbox_retention_no_truncate ON outbox_retention;
    DROP TRIGGER outbox_retention_kept ON outbox_retention;
    DROP TRIGGER outbox_retention_forward ON outbox_retention;
    DROP FUNCTION guard_retention_horizon();
    DROP TRIGGER outbox_delivered_after_commit ON outbox;
    DROP FUNCTION refuse_own_delivery();
    CREATE OR REPLACE FUNCTION stamp_writing_transaction() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      NEW.txid := pg_current_xact_id();
      RETURN NEW;
    END $$;
    CREATE OR REPLACE FUNCTION require_recorded_change() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      recorded_type text;
      recorded_id uuid;
      recorded_version integer;
      written boolean;
    BEGIN
      IF TG_TABLE_NAME = 'audit_log' THEN
        recorded_type := NEW.entity_type; recorded_id := NEW.entity_id; recorded_version := NEW.entity_version;
      ELSIF TG_TABLE_NAME = 'outbox' THEN
        recorded_type := NEW.aggregate_type; recorded_id := NEW.aggregate_id; recorded_version := NEW.aggregate_version;
      ELSE
        recorded_type := NEW.aggregate_type; recorded_id := NEW.aggregate_id; recorded_version := NEW.version;
      END IF;
      IF recorded_type = 'payroll_run' THEN
        SELECT r.xmin = pg_current_xact_id()::xid AND r.version >= recorded_version AND r.tenant_id = NEW.tenant_id
          INTO written FROM payroll_runs r WHERE r.id = recorded_id;
      ELSIF recorded_type = 'ewa_request' THEN
        SELECT r.xmin = pg_current_xact_id()::xid AND r.version >= recorded_version AND r.tenant_id = NEW.tenant_id
          INTO written FROM ewa_requests r WHERE r.id = recorded_id;
      END IF;
      IF written IS NOT TRUE THEN
        RAISE EXCEPTION 'unrecorded change: % row for % % version % without that change in its transaction',
          TG_TABLE_NAME, recorded_type, recorded_id, recorded_version USING ERRCODE = 'AF001';
      END IF;
      RETURN NULL;
    END $$;
    DROP FUNCTION written_by_this_transaction(xid);
    CREATE OR REPLACE FUNCTION require_audited_change() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      expected_type text := TG_ARGV[0];
      current_tx xid8 := pg_current_xact_id();
      found_tenant text;
      found_tx xid8;
      found_status text;
    BEGIN
      SELECT a.tenant_id, a.txid INTO found_tenant, found_tx FROM audit_log a
       WHERE a.entity_type = expected_type AND a.entity_id = NEW.id AND a.entity_version = NEW.version;
      IF found_tx IS DISTINCT FROM current_tx OR found_tenant IS DISTINCT FROM NEW.tenant_id THEN
        RAISE EXCEPTION 'unaudited change: % % version % has no audit row in its transaction',
          expected_type, NEW.id, NEW.version USING ERRCODE = 'AF001';
      END IF;
      found_tx := NULL;
      SELECT o.tenant_id, o.txid INTO found_tenant, found_tx FROM outbox o
       WHERE o.aggregate_type = expected_type AND o.aggregate_id = NEW.id AND o.aggregate_version = NEW.version;
      IF found_tx IS DISTINCT FROM current_tx OR found_tenant IS DISTINCT FROM NEW.tenant_id THEN
        RAISE EXCEPTION 'unaudited change: % % version % has no outbox event in its transaction',
          expected_type, NEW.id, NEW.version USING ERRCODE = 'AF001';
      END IF;
      found_tx := NULL;
      SELECT t.tenant_id, t.txid, t.to_status INTO found_tenant, found_tx, found_status FROM state_transitions t
       WHERE t.aggregate_type = expected_type AND t.aggregate_id = NEW.id AND t.version = NEW.version;
      IF found_tx IS DISTINCT FROM current_tx OR found_tenant IS DISTINCT FROM NEW.tenant_id
         OR found_status IS DISTINCT FROM NEW.status THEN
        RAISE EXCEPTION 'unaudited change: % % version % has no state transition in its transaction',
          expected_type, NEW.id, NEW.version USING ERRCODE = 'AF001';
      END IF;
      RETURN NULL;
    END $$;
    DROP FUNCTION snapshot_matches(jsonb, jsonb);
    DROP TABLE legal_transitions;
    REVOKE INSERT (tenant_id, key, fingerprint, aggregate_type, aggregate_id, result)
      ON idempotency_keys FROM auditflow_api;
    GRANT INSERT ON idempotency_keys TO auditflow_api;
  `.execute(db);
}
