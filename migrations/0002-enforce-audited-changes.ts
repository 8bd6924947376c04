import { type Kysely, sql } from 'kysely';

/**
 * The database's own half of "every state change has its audit row and its
 * event": deferred constraint triggers refuse to commit a domain row change
 * that lacks an audit row, an outbox row and a transition row written by the
 * same transaction, and the history tables refuse UPDATE, DELETE and TRUNCATE.
 *
 * The converse holds too: an audit row, event or transition commits only
 * with the domain row version it records, written by the same transaction.
 *
 * Every function pins its search_path (temporary tables last), so a session
 * cannot shadow the tables a check reads with temporary tables of its own.
 *
 * SQLSTATEs: AF001 unaudited change (or history without its change), AF002
 * append-only table, AF003 illegal domain row change (identity edits, version
 * jumps, deletes).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The transaction id on history rows is what the commit check matches on,
    -- so it is always the writing transaction's own: a caller cannot forge it.
    CREATE FUNCTION stamp_writing_transaction() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      NEW.txid := pg_current_xact_id();
      RETURN NEW;
    END $$;

    CREATE TRIGGER audit_log_stamp_txid BEFORE INSERT ON audit_log
      FOR EACH ROW EXECUTE FUNCTION stamp_writing_transaction();
    CREATE TRIGGER outbox_stamp_txid BEFORE INSERT ON outbox
      FOR EACH ROW EXECUTE FUNCTION stamp_writing_transaction();
    CREATE TRIGGER state_transitions_stamp_txid BEFORE INSERT ON state_transitions
      FOR EACH ROW EXECUTE FUNCTION stamp_writing_transaction();

    -- Runs at commit (deferred), once per inserted or updated domain row
    -- version: by then every statement of the transaction has run, so the
    -- order in which the write unit inserts the rows does not matter.
    CREATE FUNCTION require_audited_change() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      expected_type text := TG_ARGV[0];
      current_tx xid8 := pg_current_xact_id();
      found_tenant text;
      found_tx xid8;
      found_status text;
    BEGIN
      -- Each lookup is by its table's unique key (type, id, version), so it
      -- stays one index probe however many rows the tenant has; the tenant
      -- and the transaction are compared on the row found.
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

    -- Every change is one version: identity never changes and versions never
    -- skip, so each version has exactly one audit row, event and transition.
    CREATE FUNCTION guard_domain_row() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME USING ERRCODE = 'AF003';
      END IF;
      IF TG_OP = 'INSERT' THEN
        IF NEW.version <> 1 THEN
          RAISE EXCEPTION '% rows start at version 1', TG_TABLE_NAME USING ERRCODE = 'AF003';
        END IF;
        RETURN NEW;
      END IF;
      IF NEW.id <> OLD.id OR NEW.tenant_id <> OLD.tenant_id THEN
        RAISE EXCEPTION '% identity (id, tenant_id) is immutable', TG_TABLE_NAME USING ERRCODE = 'AF003';
      END IF;
      IF NEW.version <> OLD.version + 1 THEN
        RAISE EXCEPTION '% version must go from % to %, not %',
          TG_TABLE_NAME, OLD.version, OLD.version + 1, NEW.version USING ERRCODE = 'AF003';
      END IF;
      RETURN NEW;
    END $$;

    CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'AF002';
    END $$;

    -- Runs at commit for each history row: the domain row it speaks of must
    -- have been written by this transaction, at that version or later. A
    -- stray audit row or event on its own would otherwise commit, and block
    -- or misreport the aggregate forever.
    CREATE FUNCTION require_recorded_change() RETURNS trigger LANGUAGE plpgsql
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
      -- xmin is the transaction that wrote the row's current version.
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

    CREATE CONSTRAINT TRIGGER audit_log_records_a_change AFTER INSERT ON audit_log
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION require_recorded_change();
    CREATE CONSTRAINT TRIGGER outbox_records_a_change AFTER INSERT ON outbox
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION require_recorded_change();
    CREATE CONSTRAINT TRIGGER state_transitions_record_a_change AFTER INSERT ON state_transitions
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION require_recorded_change();

    CREATE TRIGGER payroll_runs_guard BEFORE INSERT OR UPDATE OR DELETE ON payroll_runs
      FOR EACH ROW EXECUTE FUNCTION guard_domain_row();
    CREATE CONSTRAINT TRIGGER payroll_runs_audited AFTER INSERT OR UPDATE ON payroll_runs
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION require_audited_change('payroll_run');
    CREATE TRIGGER payroll_runs_no_truncate BEFORE TRUNCATE ON payroll_runs
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

    CREATE TRIGGER ewa_requests_guard BEFORE INSERT OR UPDATE OR DELETE ON ewa_requests
      FOR EACH ROW EXECUTE FUNCTION guard_domain_row();
    CREATE CONSTRAINT TRIGGER ewa_requests_audited AFTER INSERT OR UPDATE ON ewa_requests
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION require_audited_change('ewa_request');
    CREATE TRIGGER ewa_requests_no_truncate BEFORE TRUNCATE ON ewa_requests
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

    CREATE TRIGGER state_transitions_append_only BEFORE UPDATE OR DELETE ON state_transitions
      FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER state_transitions_no_truncate BEFORE TRUNCATE ON state_transitions
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER state_transitions_record_a_change ON state_transitions;
    DROP TRIGGER outbox_records_a_change ON outbox;
    DROP TRIGGER audit_log_records_a_change ON audit_log;
    DROP FUNCTION require_recorded_change();
    DROP TRIGGER state_transitions_no_truncate ON state_transitions;
    DROP TRIGGER state_transitions_append_only ON state_transitions;
    DROP TRIGGER audit_log_no_truncate ON audit_log;
    DROP TRIGGER audit_log_append_only ON audit_log;
    DROP TRIGGER ewa_requests_no_truncate ON ewa_requests;
    DROP TRIGGER ewa_requests_audited ON ewa_requests;
    DROP TRIGGER ewa_requests_guard ON ewa_requests;
    DROP TRIGGER payroll_runs_no_truncate ON payroll_runs;
    DROP TRIGGER payroll_runs_audited ON payroll_runs;
    DROP TRIGGER payroll_runs_guard ON payroll_runs;
    DROP TRIGGER state_transitions_stamp_txid ON state_transitions;
    DROP TRIGGER outbox_stamp_txid ON outbox;
    DROP TRIGGER audit_log_stamp_txid ON audit_log;
    DROP FUNCTION refuse_change();
    DROP FUNCTION guard_domain_row();
    DROP FUNCTION require_audited_change();
    DROP FUNCTION stamp_writing_transaction();
  `.execute(db);
}
