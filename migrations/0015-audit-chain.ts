import { type Kysely, sql } from 'kysely';

/**
 * Tamper evidence: a hash chain per tenant over every history row (audit
 * rows, transitions and the immutable columns of outbox events), sealed
 * after commit, and checkpoints of it published as `audit.checkpoint.v1`
 * events, so that a copy of each chain's hashes leaves the database.
 *
 * Writers never touch the chain, so no audited write waits on a chain lock.
 * `seal_audit_chain()` (SECURITY DEFINER, called by the relay's housekeeping
 * every minute and by `npm run audit -- seal`) appends what has committed,
 * in commit-safe order: only rows whose writing transaction is older than
 * every transaction still running (txid < xmin of the current snapshot), so
 * no row can commit later below one already sealed; per tenant in the order
 * (txid, kind, id), which is therefore the order of the chain.
 *
 * A row's content is the text Postgres renders for a jsonb array of its
 * fixed fields (docs/audit-verification.md gives the byte-level rules),
 * hashed with SHA-256; each entry's hash covers the encoding version, the
 * tenant, its position, its row and its predecessor's hash. Entries keep the
 * content hash, so an event pruned after publication still verifies as a
 * link of the chain.
 *
 * Checkpoint events are not history and are not chained (each seal would
 * otherwise make a row for the next). The database accepts an outbox event
 * of aggregate type `audit_chain` only with the checkpoint row its own
 * transaction wrote, which only the sealing function can write.
 *
 * SQLSTATEs: AF008 sealing outside READ COMMITTED (its snapshot must be
 * taken after it holds the sealing lock).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The sealer finds new history from the audit rows of recent
    -- transactions; each one's transition and event follow by their
    -- (type, id, version) keys, which are indexed already.
    CREATE INDEX audit_log_by_txid ON audit_log (txid);

    CREATE TABLE audit_chain (
      tenant_id text NOT NULL,
      seq bigint NOT NULL CHECK (seq >= 1),
      kind text NOT NULL CHECK (kind IN ('audit', 'event', 'transition')),
      row_id uuid NOT NULL,
      txid xid8 NOT NULL,
      -- Kept so that a verifier can tell a pruned event (older than the
      -- retention horizon) from a deleted one.
      occurred_at timestamptz NOT NULL,
      content_hash text NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL,
      sealed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, seq),
      UNIQUE (kind, row_id)
    );

    CREATE TABLE audit_chain_heads (
      tenant_id text PRIMARY KEY,
      -- The aggregate id of the tenant's checkpoint events.
      chain_id uuid NOT NULL UNIQUE,
      seq bigint NOT NULL,
      hash text NOT NULL,
      checkpointed_seq bigint NOT NULL DEFAULT 0,
      checkpoint_no integer NOT NULL DEFAULT 0
    );

    CREATE TABLE audit_checkpoints (
      tenant_id text NOT NULL,
      checkpoint_no integer NOT NULL,
      chain_id uuid NOT NULL,
      from_seq bigint NOT NULL,
      to_seq bigint NOT NULL,
      prev_hash text NOT NULL,
      head_hash text NOT NULL,
      outbox_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, checkpoint_no),
      UNIQUE (chain_id, checkpoint_no)
    );

    -- Every audit row with txid below this is sealed (rows sealed above it
    -- are found again and skipped by the chain's unique key).
    CREATE TABLE audit_chain_progress (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      sealed_below xid8 NOT NULL
    );
    INSERT INTO audit_chain_progress (singleton, sealed_below) VALUES (true, '0');

    CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
      FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
      FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

    -- Instants as the database renders them, in UTC at microsecond precision.
    CREATE FUNCTION audit_chain_instant(at timestamptz) RETURNS text
      LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
      SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    $$;

    CREATE FUNCTION audit_chain_sha256(content text) RETURNS text
      LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
      SELECT encode(sha256(convert_to(content, 'UTF8')), 'hex')
    $$;

    -- A UUIDv7 (RFC 9562) from the clock, as the application's event ids are,
    -- so checkpoint events sort among the others by time.
    CREATE FUNCTION audit_chain_event_id() RETURNS uuid
      LANGUAGE sql VOLATILE SET search_path = pg_catalog, public, pg_temp AS $$
      SELECT encode(
        set_bit(set_bit(
          overlay(uuid_send(gen_random_uuid())
            PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
            FROM 1 FOR 6),
          52, 1), 53, 1),
        'hex')::uuid
    $$;

    -- The aggregate id of a tenant's checkpoint events: a name-based UUID
    -- (version 8, RFC 9562) of the tenant, the same wherever it is computed.
    CREATE FUNCTION audit_chain_id(tenant text) RETURNS uuid
      LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
      SELECT (substr(h, 1, 12) || '8' || substr(h, 14, 3) || '8' || substr(h, 18, 15))::uuid
        FROM md5('auditflow.audit_chain:' || tenant) AS h
    $$;

    -- Publishes the chain past each tenant's last checkpoint, in segments of
    -- at most segment_max entries: each checkpoint carries every entry hash of
    -- its segment, so the copy outside the database names any entry that
    -- changed, and stays well within EventBridge's 256 KB per event.
    CREATE FUNCTION write_audit_checkpoints(segment_max integer) RETURNS integer
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      h audit_chain_heads%ROWTYPE;
      from_seq bigint;
      to_seq bigint;
      no integer;
      hashes jsonb;
      prev text;
      head text;
      event_id uuid;
      written integer := 0;
    BEGIN
      FOR h IN SELECT * FROM audit_chain_heads WHERE seq > checkpointed_seq ORDER BY tenant_id FOR UPDATE
      LOOP
        from_seq := h.checkpointed_seq + 1;
        no := h.checkpoint_no;
        WHILE from_seq <= h.seq LOOP
          to_seq := least(from_seq + segment_max - 1, h.seq);
          no := no + 1;
          SELECT jsonb_agg(c.hash ORDER BY c.seq), (array_agg(c.prev_hash ORDER BY c.seq))[1],
                 (array_agg(c.hash ORDER BY c.seq DESC))[1]
            INTO hashes, prev, head
            FROM audit_chain c WHERE c.tenant_id = h.tenant_id AND c.seq BETWEEN from_seq AND to_seq;
          event_id := audit_chain_event_id();
          INSERT INTO audit_checkpoints (tenant_id, checkpoint_no, chain_id, from_seq, to_seq,
                                         prev_hash, head_hash, outbox_id)
          VALUES (h.tenant_id, no, h.chain_id, from_seq, to_seq, prev, head, event_id);
          INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                              event_type, payload, correlation_id, causation_id, actor)
          VALUES (event_id, h.tenant_id, 'audit_chain', h.chain_id, no, 'audit.checkpoint.v1',
                  jsonb_build_object(
                    'encoding', 'auditflow.chain.v1',
                    'checkpointNo', no,
                    'fromSeq', from_seq,
                    'toSeq', to_seq,
                    'prevHash', prev,
                    'headHash', head,
                    'entryHashes', hashes,
                    'sealedAt', audit_chain_instant(now())),
                  'audit-chain:' || h.tenant_id || ':' || no, NULL, 'system:audit-chain');
          written := written + 1;
          from_seq := to_seq + 1;
        END LOOP;
        UPDATE audit_chain_heads SET checkpointed_seq = h.seq, checkpoint_no = no
         WHERE tenant_id = h.tenant_id;
      END LOOP;
      RETURN written;
    END $$;

    -- Appends the history of up to max_transactions committed transactions
    -- (oldest first, each one whole) to their tenants' chains, then
    -- checkpoints every chain that grew. Idempotent and transactional: a
    -- sealer that dies leaves nothing, and sealing again seals the rest.
    -- Returns the rows sealed (0: nothing left below the horizon).
    CREATE FUNCTION seal_audit_chain(max_transactions integer, segment_max integer DEFAULT 1000)
      RETURNS integer
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      horizon xid8;
      from_txid xid8;
      batch xid8[];
      r record;
      tenant text := NULL;
      head_seq bigint;
      head_hash text;
      link text;
      sealed integer := 0;
      -- The entries of this call, inserted together at the end (one
      -- statement instead of one per row; element assignment is in place).
      e_tenant text[] := '{}';
      e_seq bigint[] := '{}';
      e_kind text[] := '{}';
      e_id uuid[] := '{}';
      e_txid xid8[] := '{}';
      e_at timestamptz[] := '{}';
      e_content text[] := '{}';
      e_prev text[] := '{}';
      e_hash text[] := '{}';
    BEGIN
      IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'seal_audit_chain() runs in READ COMMITTED: its snapshot must follow its lock'
          USING ERRCODE = 'AF008';
      END IF;
      -- One sealer at a time; the statements below take their snapshots
      -- after the lock, so they see everything an earlier sealer committed.
      PERFORM pg_advisory_xact_lock(hashtextextended('auditflow.audit_chain', 0));
      -- Every transaction below the horizon has ended: nothing can commit
      -- below it any more. Later rows wait for the next seal.
      horizon := pg_snapshot_xmin(pg_current_snapshot());
      SELECT sealed_below INTO from_txid FROM audit_chain_progress;

      -- Every history row has the audit row of its version in its own
      -- transaction (migrations 0002 and 0007), so the audit rows name the
      -- transactions to seal; only those are rendered and hashed.
      SELECT array_agg(t.txid ORDER BY t.txid) INTO batch FROM (
        SELECT DISTINCT a.txid FROM audit_log a
         WHERE a.txid >= from_txid AND a.txid < horizon
           AND NOT EXISTS (SELECT 1 FROM audit_chain e WHERE e.kind = 'audit' AND e.row_id = a.id)
         ORDER BY a.txid
         LIMIT max_transactions
      ) t;

      FOR r IN
        WITH audits AS (
          SELECT * FROM audit_log a WHERE a.txid = ANY (batch)
        ), candidates AS (
          SELECT a.tenant_id, a.txid, 'audit'::text AS kind, a.id, a.occurred_at,
                 jsonb_build_array('auditflow.audit.v1', a.id::text, a.tenant_id, a.actor, a.action,
                   a.entity_type, a.entity_id::text, a.entity_version::text, a.before, a.after,
                   audit_chain_instant(a.occurred_at), a.correlation_id, a.causation_id,
                   a.txid::text)::text AS content
            FROM audits a
          UNION ALL
          SELECT t.tenant_id, t.txid, 'transition', t.id, t.occurred_at,
                 jsonb_build_array('auditflow.transition.v1', t.id::text, t.tenant_id,
                   t.aggregate_type, t.aggregate_id::text, t.version::text, t.command,
                   t.from_status, t.to_status, t.actor, audit_chain_instant(t.occurred_at),
                   t.correlation_id, t.audit_id::text, t.outbox_id::text, t.txid::text)::text
            FROM audits a JOIN state_transitions t
              ON t.aggregate_type = a.entity_type AND t.aggregate_id = a.entity_id
             AND t.version = a.entity_version AND t.txid = a.txid
          UNION ALL
          SELECT o.tenant_id, o.txid, 'event', o.id, o.occurred_at,
                 jsonb_build_array('auditflow.event.v1', o.id::text, o.tenant_id,
                   o.aggregate_type, o.aggregate_id::text, o.aggregate_version::text,
                   o.event_type, o.payload, audit_chain_instant(o.occurred_at), o.correlation_id,
                   o.causation_id, o.actor, o.txid::text)::text
            FROM audits a JOIN outbox o
              ON o.aggregate_type = a.entity_type AND o.aggregate_id = a.entity_id
             AND o.aggregate_version = a.entity_version AND o.txid = a.txid
        )
        SELECT c.tenant_id, c.txid, c.kind, c.id, c.occurred_at,
               audit_chain_sha256(c.content) AS content_hash
          FROM candidates c
         WHERE NOT EXISTS (SELECT 1 FROM audit_chain e WHERE e.kind = c.kind AND e.row_id = c.id)
         ORDER BY c.tenant_id COLLATE "C", c.txid, c.kind, c.id
      LOOP
        IF tenant IS DISTINCT FROM r.tenant_id THEN
          IF tenant IS NOT NULL THEN
            UPDATE audit_chain_heads SET seq = head_seq, hash = head_hash WHERE tenant_id = tenant;
          END IF;
          tenant := r.tenant_id;
          INSERT INTO audit_chain_heads (tenant_id, chain_id, seq, hash)
          VALUES (tenant, audit_chain_id(tenant), 0, repeat('0', 64))
          ON CONFLICT (tenant_id) DO NOTHING;
          SELECT seq, hash INTO head_seq, head_hash FROM audit_chain_heads
           WHERE tenant_id = tenant FOR UPDATE;
        END IF;
        head_seq := head_seq + 1;
        link := audit_chain_sha256(concat_ws(E'\n', 'auditflow.chain.v1', tenant, head_seq::text,
                                             r.kind, r.id::text, r.content_hash, head_hash));
        sealed := sealed + 1;
        e_tenant[sealed] := tenant;
        e_seq[sealed] := head_seq;
        e_kind[sealed] := r.kind;
        e_id[sealed] := r.id;
        e_txid[sealed] := r.txid;
        e_at[sealed] := r.occurred_at;
        e_content[sealed] := r.content_hash;
        e_prev[sealed] := head_hash;
        e_hash[sealed] := link;
        head_hash := link;
      END LOOP;
      INSERT INTO audit_chain (tenant_id, seq, kind, row_id, txid, occurred_at, content_hash,
                               prev_hash, hash)
      SELECT * FROM unnest(e_tenant, e_seq, e_kind, e_id, e_txid, e_at, e_content, e_prev, e_hash);
      IF tenant IS NOT NULL THEN
        UPDATE audit_chain_heads SET seq = head_seq, hash = head_hash WHERE tenant_id = tenant;
      END IF;
      -- Every transaction below the watermark is sealed whole: the next seal
      -- starts after the last one taken, or at the horizon when none was left.
      UPDATE audit_chain_progress SET sealed_below = greatest(sealed_below,
        CASE WHEN coalesce(cardinality(batch), 0) < max_transactions THEN horizon
             ELSE (batch[cardinality(batch)]::text::numeric + 1)::text::xid8 END);
      PERFORM write_audit_checkpoints(segment_max);
      RETURN sealed;
    END $$;

    -- Whether this transaction wrote the checkpoint an audit_chain event
    -- announces: read as the definer, since the committing role (relay or
    -- operator, through seal_audit_chain) need not see checkpoints itself.
    CREATE FUNCTION checkpoint_written_here(tenant text, chain uuid, no integer) RETURNS boolean
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
      SELECT coalesce((
        SELECT written_by_this_transaction(c.xmin) FROM audit_checkpoints c
         WHERE c.chain_id = chain AND c.checkpoint_no = no AND c.tenant_id = tenant), false)
    $$;

    -- 0007's check, and: an audit_chain event records the checkpoint its
    -- transaction wrote.
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
      ELSIF recorded_type = 'audit_chain' AND TG_TABLE_NAME = 'outbox' THEN
        written := checkpoint_written_here(NEW.tenant_id, recorded_id, recorded_version);
      END IF;
      IF written IS NOT TRUE THEN
        RAISE EXCEPTION 'unrecorded change: % row for % % version % without that change in its transaction',
          TG_TABLE_NAME, recorded_type, recorded_id, recorded_version USING ERRCODE = 'AF001';
      END IF;
      RETURN NULL;
    END $$;

    REVOKE EXECUTE ON FUNCTION audit_chain_instant(timestamptz), audit_chain_sha256(text),
      audit_chain_id(text),
      audit_chain_event_id(), write_audit_checkpoints(integer), seal_audit_chain(integer, integer),
      checkpoint_written_here(text, uuid, integer) FROM PUBLIC;
    -- The relay seals every minute; the operator seals on demand.
    GRANT EXECUTE ON FUNCTION seal_audit_chain(integer, integer) TO auditflow_relay, auditflow_operator;
    -- Fired by the commit check under whichever role commits an event.
    GRANT EXECUTE ON FUNCTION checkpoint_written_here(text, uuid, integer)
      TO auditflow_api, auditflow_relay, auditflow_operator;
    -- The operator verifies and exports; the relay prunes only sealed events.
    GRANT SELECT ON audit_chain, audit_chain_heads, audit_checkpoints, audit_chain_progress
      TO auditflow_operator;
    GRANT SELECT (kind, row_id) ON audit_chain TO auditflow_relay;
  `.execute(db);

  // Row-level security as 0008 has it for every tenant table: enabled and
  // forced; the cross-tenant readers and the owner's functions by policy.
  for (const table of ['audit_chain', 'audit_chain_heads', 'audit_checkpoints']) {
    await sql`
      ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY;
      ALTER TABLE ${sql.table(table)} FORCE ROW LEVEL SECURITY;
      CREATE POLICY operator_reads ON ${sql.table(table)} FOR SELECT TO auditflow_operator USING (true);
    `.execute(db);
    await sql`
      DO $$
      BEGIN
        EXECUTE format('CREATE POLICY owner_functions ON %I TO %I USING (true) WITH CHECK (true)',
          ${sql.lit(table)}, current_user);
      END $$;
    `.execute(db);
  }
  await sql`
    CREATE POLICY relay_prunes ON audit_chain FOR SELECT TO auditflow_relay USING (true);
    -- The owner's sealing function reads every tenant's history.
    DO $$
    BEGIN
      EXECUTE format('CREATE POLICY owner_functions ON audit_log FOR SELECT TO %I USING (true)', current_user);
      EXECUTE format('CREATE POLICY owner_functions ON state_transitions FOR SELECT TO %I USING (true)', current_user);
    END $$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP POLICY owner_functions ON state_transitions;
    DROP POLICY owner_functions ON audit_log;
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
    DROP FUNCTION checkpoint_written_here(text, uuid, integer);
    DROP FUNCTION seal_audit_chain(integer, integer);
    DROP FUNCTION write_audit_checkpoints(integer);
    DROP FUNCTION audit_chain_event_id();
    DROP FUNCTION audit_chain_id(text);
    DROP FUNCTION audit_chain_sha256(text);
    DROP FUNCTION audit_chain_instant(timestamptz);
    DROP TABLE audit_chain_progress;
    DROP TABLE audit_checkpoints;
    DROP TABLE audit_chain_heads;
    DROP TABLE audit_chain;
    DROP INDEX audit_log_by_txid;
  `.execute(db);
}
