import { type Kysely, sql } from 'kysely';

/**
 * The domain tables, the audit log, the state transitions, the outbox and the
 * idempotency keys. Frozen: a shipped migration is never edited.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE payroll_runs (
      id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('DRAFT', 'SUBMITTED', 'APPROVED', 'PAID', 'CANCELLED')),
      version integer NOT NULL CHECK (version >= 1),
      period_start date NOT NULL,
      period_end date NOT NULL,
      pay_date date NOT NULL,
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      gross_total_minor bigint NOT NULL CHECK (gross_total_minor >= 0),
      employee_count integer NOT NULL CHECK (employee_count > 0),
      created_by text NOT NULL,
      submitted_by text,
      approved_by text,
      paid_by text,
      rejection_reason text,
      cancellation_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (period_start <= period_end)
    );
    CREATE INDEX payroll_runs_by_tenant ON payroll_runs (tenant_id, id DESC);
    CREATE INDEX payroll_runs_by_tenant_status ON payroll_runs (tenant_id, status, id DESC);

    CREATE TABLE ewa_requests (
      id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('REQUESTED', 'APPROVED', 'DECLINED', 'DISBURSED', 'SETTLED')),
      version integer NOT NULL CHECK (version >= 1),
      employee_id text NOT NULL,
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      period_start date NOT NULL,
      period_end date NOT NULL,
      created_by text NOT NULL,
      approved_by text,
      disbursed_by text,
      decline_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (period_start <= period_end)
    );
    CREATE INDEX ewa_requests_by_tenant ON ewa_requests (tenant_id, id DESC);
    CREATE INDEX ewa_requests_by_tenant_status ON ewa_requests (tenant_id, status, id DESC);
    CREATE INDEX ewa_requests_by_period
      ON ewa_requests (tenant_id, currency, period_start, period_end) WHERE status = 'DISBURSED';

    CREATE TABLE audit_log (
      id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      actor text NOT NULL,
      action text NOT NULL,
      entity_type text NOT NULL,
      entity_id uuid NOT NULL,
      entity_version integer NOT NULL,
      before jsonb,
      after jsonb NOT NULL,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      correlation_id text NOT NULL,
      causation_id text,
      txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
      UNIQUE (entity_type, entity_id, entity_version)
    );
    CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, occurred_at);

    CREATE TABLE outbox (
      id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      aggregate_type text NOT NULL,
      aggregate_id uuid NOT NULL,
      aggregate_version integer NOT NULL,
      event_type text NOT NULL,
      payload jsonb NOT NULL,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      correlation_id text NOT NULL,
      causation_id text,
      actor text NOT NULL,
      txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'dead')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      published_at timestamptz,
      UNIQUE (aggregate_type, aggregate_id, aggregate_version)
    );
    CREATE INDEX outbox_by_tenant ON outbox (tenant_id, event_type);

    -- No foreign key to outbox: published outbox rows may be pruned, transitions stay.
    CREATE TABLE state_transitions (
      id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      aggregate_type text NOT NULL,
      aggregate_id uuid NOT NULL,
      version integer NOT NULL,
      command text NOT NULL,
      from_status text,
      to_status text NOT NULL,
      actor text NOT NULL,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      correlation_id text NOT NULL,
      audit_id uuid NOT NULL REFERENCES audit_log (id),
      outbox_id uuid NOT NULL,
      txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
      UNIQUE (aggregate_type, aggregate_id, version)
    );
    CREATE INDEX state_transitions_by_tenant ON state_transitions (tenant_id, aggregate_type);

    CREATE TABLE idempotency_keys (
      tenant_id text NOT NULL,
      key text NOT NULL,
      fingerprint text NOT NULL,
      aggregate_type text NOT NULL,
      aggregate_id uuid,
      result jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
      PRIMARY KEY (tenant_id, key)
    );
    CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE idempotency_keys;
    DROP TABLE state_transitions;
    DROP TABLE outbox;
    DROP TABLE audit_log;
    DROP TABLE ewa_requests;
    DROP TABLE payroll_runs;
  `.execute(db);
}
