import { type Kysely, sql } from 'kysely';

/**
 * Money truth: a double-entry ledger written in the transaction of the
 * change that moved the money, with its audit row and its event.
 *
 * - ledger_accounts: per tenant and currency, identified by a code
 *   (`funding-cash`, `ewa-receivable:<employee>`); its class is the code up to
 *   the first `:`. An account of a class that a limit names keeps a running
 *   balance (debits_posted, credits_posted) that only postings change; every
 *   other account's balance is the sum of its postings, so accounts shared by
 *   every writer (funding cash) are never locked or updated by a posting.
 * - ledger_entries: one per money-moving event (unique event id and audit
 *   id): what happened, when, and the change, audit row and correlation id
 *   that caused it. Append-only; a correction is a reversing entry.
 * - ledger_postings: an entry's debits and credits, in integer minor units.
 *   Append-only.
 * - ledger_limits: the most a tracked account's balance may reach, per
 *   tenant (`*`: every tenant without its own row), class and currency
 *   (`*`: any); the defaults are written after migrating, like
 *   legal_transitions.
 * - ledger_money_events: the event types that move money, written after
 *   migrating from the event catalogue (syncLedgerRules), so the two cannot
 *   drift.
 *
 * None of the checks below can be run early and then undone: the balance,
 * currency and limit checks are not constraint triggers at all (they run at
 * the end of the statement that inserts an entry's postings, and all of an
 * entry's postings arrive in that one statement), and the two deferred ones
 * only ask whether append-only rows exist, which SET CONSTRAINTS ALL
 * IMMEDIATE can make them ask sooner but never make untrue later. A
 * rolled-back savepoint re-arms a deferred check it ran.
 *
 * SQLSTATEs: AF002 append-only, AF020 an entry that does not balance per
 * currency (or gets postings in more than one statement, or in another
 * transaction), AF021 a posting to an account of another tenant or
 * currency, AF022 a tracked balance beyond its limit or below zero, AF023 a
 * money-moving change without its entry, or an entry without its change.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ledger_money_events (
      event_type text PRIMARY KEY
    );

    CREATE TABLE ledger_accounts (
      id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      code text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$'),
      class text GENERATED ALWAYS AS (split_part(code, ':', 1)) STORED,
      type text NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      keeps_balance boolean NOT NULL DEFAULT false,
      -- Cumulative, as TigerBeetle keeps them: both only grow. numeric, so no
      -- sum of bigint postings can overflow them.
      debits_posted numeric NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
      credits_posted numeric NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, code, currency)
    );

    CREATE TABLE ledger_entries (
      id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      description text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
      -- One entry per event: a replayed or repeated command cannot book twice.
      -- No foreign key: published events are pruned, entries are kept.
      event_id uuid NOT NULL UNIQUE,
      -- The event's type, stamped from the event: reconciliation counts by it
      -- even after the event itself was pruned.
      event_type text NOT NULL,
      audit_id uuid NOT NULL UNIQUE,
      correlation_id text NOT NULL,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      txid xid8 NOT NULL DEFAULT pg_current_xact_id()
    );
    CREATE INDEX ledger_entries_by_tenant ON ledger_entries (tenant_id, id);

    CREATE TABLE ledger_postings (
      id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      -- No foreign keys: the posting check finds the entry (of this very
      -- transaction) and the account itself, and neither is ever deleted. A
      -- key would add a KEY SHARE lock per posting, on a shared account (funding
      -- cash) making every writer a member of one MultiXact, and a lookup whose
      -- cached plan may be a table scan.
      entry_id uuid NOT NULL,
      account_id uuid NOT NULL,
      side text NOT NULL CHECK (side IN ('debit', 'credit')),
      -- Positive, and exact as a JSON number: sums are taken in numeric.
      amount_minor bigint NOT NULL CHECK (amount_minor > 0 AND amount_minor <= 9007199254740991),
      currency text NOT NULL
    );
    CREATE INDEX ledger_postings_by_entry ON ledger_postings (entry_id);
    CREATE INDEX ledger_postings_by_account ON ledger_postings (account_id, entry_id);

    CREATE TABLE ledger_limits (
      tenant_id text NOT NULL,
      account_class text NOT NULL,
      currency text NOT NULL CHECK (currency = '*' OR currency ~ '^[A-Z]{3}$'),
      max_balance_minor bigint NOT NULL CHECK (max_balance_minor >= 0),
      PRIMARY KEY (tenant_id, account_class, currency)
    );

    -- An account keeps a running balance exactly when a limit may guard it:
    -- decided by the database, so no writer can open an untracked account
    -- to escape its limit.
    CREATE FUNCTION open_ledger_account() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      -- NEW.class is not computed yet in a BEFORE trigger: derive it as the column does.
      NEW.keeps_balance := EXISTS (SELECT 1 FROM ledger_limits l
                                    WHERE l.account_class = split_part(NEW.code, ':', 1));
      NEW.debits_posted := 0;
      NEW.credits_posted := 0;
      NEW.created_at := now();
      RETURN NEW;
    END $$;
    CREATE TRIGGER ledger_accounts_open BEFORE INSERT ON ledger_accounts
      FOR EACH ROW EXECUTE FUNCTION open_ledger_account();

    -- Identity and kind never change; the counters only grow.
    CREATE FUNCTION guard_ledger_account() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.tenant_id <> OLD.tenant_id OR NEW.code <> OLD.code
         OR NEW.type <> OLD.type OR NEW.currency <> OLD.currency OR NEW.keeps_balance <> OLD.keeps_balance
         OR NEW.created_at <> OLD.created_at
         OR NEW.debits_posted < OLD.debits_posted OR NEW.credits_posted < OLD.credits_posted THEN
        RAISE EXCEPTION 'ledger_accounts: % refused: accounts are kept, and their counters only grow', TG_OP
          USING ERRCODE = 'AF002';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER ledger_accounts_guard BEFORE UPDATE OR DELETE ON ledger_accounts
      FOR EACH ROW EXECUTE FUNCTION guard_ledger_account();

    -- An entry is caused by a money-moving event of its own transaction and
    -- tenant, and by that version's audit row: checked as it is inserted,
    -- against rows that are immutable from then on.
    CREATE FUNCTION check_entry_cause() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp SET enable_seqscan = off AS $$
    DECLARE
      o outbox%ROWTYPE;
      a audit_log%ROWTYPE;
    BEGIN
      NEW.txid := pg_current_xact_id();
      NEW.occurred_at := now();
      SELECT * INTO o FROM outbox WHERE id = NEW.event_id;
      IF o.id IS NULL OR o.txid <> NEW.txid OR o.tenant_id <> NEW.tenant_id THEN
        RAISE EXCEPTION 'journal entry % has no event % in its transaction', NEW.id, NEW.event_id
          USING ERRCODE = 'AF023';
      END IF;
      IF NOT EXISTS (SELECT 1 FROM ledger_money_events m WHERE m.event_type = o.event_type) THEN
        RAISE EXCEPTION 'journal entry % is caused by %, which moves no money', NEW.id, o.event_type
          USING ERRCODE = 'AF023';
      END IF;
      NEW.event_type := o.event_type;
      SELECT * INTO a FROM audit_log WHERE id = NEW.audit_id;
      IF a.id IS NULL OR a.txid <> NEW.txid OR a.tenant_id <> NEW.tenant_id
         OR a.entity_type <> o.aggregate_type OR a.entity_id <> o.aggregate_id
         OR a.entity_version <> o.aggregate_version OR NEW.correlation_id <> o.correlation_id THEN
        RAISE EXCEPTION 'journal entry % does not name the audit row and correlation of event %',
          NEW.id, NEW.event_id USING ERRCODE = 'AF023';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER ledger_entries_caused BEFORE INSERT ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION check_entry_cause();

    -- Every lookup in the checks below is by a key with an index. Their plans
    -- are cached per session, and a plan made while the ledger was empty (a
    -- fresh database) would scan whole tables on every write until the next
    -- ANALYZE reached the session: so the checks never scan a table.

    -- At commit: an entry has its postings (which balanced when inserted).
    CREATE FUNCTION require_entry_postings() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp SET enable_seqscan = off AS $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM ledger_postings p WHERE p.entry_id = NEW.id) THEN
        RAISE EXCEPTION 'journal entry % has no postings', NEW.id USING ERRCODE = 'AF020';
      END IF;
      RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER ledger_entries_posted AFTER INSERT ON ledger_entries
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION require_entry_postings();

    -- At commit: a money-moving event has its entry, of its transaction.
    CREATE FUNCTION require_booked_event() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM ledger_money_events m WHERE m.event_type = NEW.event_type)
         AND NOT EXISTS (SELECT 1 FROM ledger_entries e
                          WHERE e.event_id = NEW.id AND e.txid = NEW.txid AND e.tenant_id = NEW.tenant_id) THEN
        RAISE EXCEPTION 'unbooked change: event % (%) moves money and has no journal entry in its transaction',
          NEW.id, NEW.event_type USING ERRCODE = 'AF023';
      END IF;
      RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER outbox_money_booked AFTER INSERT ON outbox
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION require_booked_event();

    -- At the end of the statement that inserts postings: every entry in it
    -- is of this transaction, gets all its postings in this statement, and
    -- balances per currency; every posting goes to an account of its tenant
    -- in its currency; tracked accounts take the amounts into their running
    -- balance and stay within [0, limit]. SECURITY DEFINER so that only this
    -- function, never a writer, updates the running balances; it stays in
    -- the transaction's tenant through the owner's own policies.
    CREATE FUNCTION post_journal_postings() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
      SET search_path = pg_catalog, public, pg_temp SET enable_seqscan = off AS $$
    DECLARE
      fault record;
      moved record;
      account_code text;
      account_currency text;
      balance numeric;
      ceiling bigint;
    BEGIN
      -- One statement for every check of the statement's postings: each runs
      -- once per write, so their number is what it costs.
      SELECT
        (SELECT p.entry_id FROM new_postings p LEFT JOIN ledger_entries e ON e.id = p.entry_id
          WHERE e.id IS NULL OR e.txid <> pg_current_xact_id() OR e.tenant_id <> p.tenant_id
          LIMIT 1) AS foreign_entry,
        (SELECT n.entry_id FROM (SELECT entry_id, count(*) AS c FROM new_postings GROUP BY entry_id) n
          WHERE (SELECT count(*) FROM ledger_postings p WHERE p.entry_id = n.entry_id) <> n.c
          LIMIT 1) AS reposted_entry,
        (SELECT p.account_id FROM new_postings p LEFT JOIN ledger_accounts a ON a.id = p.account_id
          WHERE a.id IS NULL OR a.tenant_id <> p.tenant_id OR a.currency <> p.currency
          LIMIT 1) AS foreign_account,
        -- Positive amounts that sum to zero per currency: at least one debit and one credit each.
        (SELECT ARRAY[entry_id::text, currency] FROM new_postings GROUP BY entry_id, currency
         HAVING sum(CASE side WHEN 'debit' THEN amount_minor::numeric ELSE -amount_minor::numeric END) <> 0
          LIMIT 1) AS unbalanced
      INTO fault;
      IF fault.foreign_entry IS NOT NULL THEN
        RAISE EXCEPTION 'postings for journal entry %, which is not an entry of this transaction',
          fault.foreign_entry USING ERRCODE = 'AF020';
      END IF;
      IF fault.reposted_entry IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % already has postings: an entry gets all of them in one statement',
          fault.reposted_entry USING ERRCODE = 'AF020';
      END IF;
      IF fault.foreign_account IS NOT NULL THEN
        RAISE EXCEPTION 'posting to account %, which is not an account of its tenant in its currency',
          fault.foreign_account USING ERRCODE = 'AF021';
      END IF;
      IF fault.unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % does not balance in %: debits and credits differ',
          fault.unbalanced[1], fault.unbalanced[2] USING ERRCODE = 'AF020';
      END IF;
      -- In account id order, so two transactions never wait on each other's accounts in opposite orders.
      FOR moved IN
        SELECT p.account_id,
               coalesce(sum(p.amount_minor) FILTER (WHERE p.side = 'debit'), 0)::numeric AS debits,
               coalesce(sum(p.amount_minor) FILTER (WHERE p.side = 'credit'), 0)::numeric AS credits
          FROM new_postings p JOIN ledger_accounts a ON a.id = p.account_id
         WHERE a.keeps_balance GROUP BY p.account_id ORDER BY p.account_id
      LOOP
        -- The row lock serialises the writers of this one account (an
        -- employee's advances) and nobody else; a waiting writer re-reads the
        -- committed counters before its limit is checked.
        UPDATE ledger_accounts a SET debits_posted = debits_posted + moved.debits,
                                     credits_posted = credits_posted + moved.credits
         WHERE a.id = moved.account_id
        RETURNING a.code, a.currency,
                  CASE WHEN a.type IN ('asset', 'expense') THEN a.debits_posted - a.credits_posted
                       ELSE a.credits_posted - a.debits_posted END,
                  (SELECT l.max_balance_minor FROM ledger_limits l
                    WHERE l.tenant_id IN (a.tenant_id, '*') AND l.account_class = a.class
                      AND l.currency IN (a.currency, '*')
                    ORDER BY l.tenant_id = '*', l.currency = '*' LIMIT 1)
          INTO account_code, account_currency, balance, ceiling;
        IF balance < 0 OR (ceiling IS NOT NULL AND balance > ceiling) THEN
          RAISE EXCEPTION 'limit exceeded: account % in % would be at %, outside 0 to %',
            account_code, account_currency, balance, coalesce(ceiling::text, 'unlimited')
            USING ERRCODE = 'AF022', DETAIL = json_build_object('code', account_code,
              'currency', account_currency, 'balance', balance::text, 'limit', ceiling::text)::text;
        END IF;
      END LOOP;
      RETURN NULL;
    END $$;
    CREATE TRIGGER ledger_postings_post AFTER INSERT ON ledger_postings
      REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION post_journal_postings();

    CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
      FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

    -- The API's role opens accounts and appends entries and postings, naming
    -- neither the counters nor the database-stamped columns; it updates and
    -- deletes nothing. The operator reads.
    GRANT SELECT ON ledger_money_events, ledger_accounts, ledger_entries, ledger_postings, ledger_limits
      TO auditflow_api, auditflow_operator;
    GRANT INSERT (id, tenant_id, code, type, currency) ON ledger_accounts TO auditflow_api;
    GRANT INSERT (id, tenant_id, description, event_id, audit_id, correlation_id) ON ledger_entries
      TO auditflow_api;
    GRANT INSERT (id, tenant_id, entry_id, account_id, side, amount_minor, currency) ON ledger_postings
      TO auditflow_api;
  `.execute(db);

  for (const table of ['ledger_accounts', 'ledger_entries', 'ledger_postings']) {
    await sql`
      ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY;
      ALTER TABLE ${sql.table(table)} FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ${sql.table(table)} TO auditflow_api
        USING (tenant_id = current_setting('auditflow.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('auditflow.tenant_id', true));
      CREATE POLICY operator_reads ON ${sql.table(table)} FOR SELECT TO auditflow_operator USING (true);
    `.execute(db);
  }
  await sql`
    ALTER TABLE ledger_limits ENABLE ROW LEVEL SECURITY;
    ALTER TABLE ledger_limits FORCE ROW LEVEL SECURITY;
    -- A tenant sees its own limits and the defaults, and writes none.
    CREATE POLICY tenant_isolation ON ledger_limits FOR SELECT TO auditflow_api
      USING (tenant_id IN (current_setting('auditflow.tenant_id', true), '*'));
    CREATE POLICY operator_reads ON ledger_limits FOR SELECT TO auditflow_operator USING (true);
    -- The owner is whichever role runs the migrations: named at run time.
    -- post_journal_postings() runs as the owner, within the transaction's tenant.
    DO $$
    DECLARE
      t text;
    BEGIN
      FOREACH t IN ARRAY ARRAY['ledger_accounts', 'ledger_entries', 'ledger_postings'] LOOP
        EXECUTE format($f$CREATE POLICY owner_functions ON %I TO %I
          USING (tenant_id = current_setting('auditflow.tenant_id', true))
          WITH CHECK (tenant_id = current_setting('auditflow.tenant_id', true))$f$, t, current_user);
      END LOOP;
      -- The owner manages the limits: the defaults after migrating, tenants' own rows.
      EXECUTE format('CREATE POLICY owner_manages ON ledger_limits TO %I USING (true) WITH CHECK (true)',
        current_user);
    END $$;
    REVOKE EXECUTE ON FUNCTION post_journal_postings() FROM PUBLIC;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER outbox_money_booked ON outbox;
    DROP FUNCTION require_booked_event();
    DROP TABLE ledger_postings;
    DROP TABLE ledger_entries;
    DROP TABLE ledger_accounts;
    DROP TABLE ledger_limits;
    DROP TABLE ledger_money_events;
    DROP FUNCTION post_journal_postings();
    DROP FUNCTION require_entry_postings();
    DROP FUNCTION check_entry_cause();
    DROP FUNCTION guard_ledger_account();
    DROP FUNCTION open_ledger_account();
  `.execute(db);
}
