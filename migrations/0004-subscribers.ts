import { type Kysely, sql } from 'kysely';

/**
 * What subscribers need: an inbox (one row per subscriber and event, written
 * in the transaction of the subscriber's effect, so a redelivered event
 * changes nothing), a dead-letter table for events a subscriber cannot use,
 * the settlement link on EWA requests, and the dashboard's read model.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE inbox (
      subscriber text NOT NULL,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subscriber, event_id)
    );

    CREATE TABLE subscriber_dead_letters (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      subscriber text NOT NULL,
      event_id text,
      detail_type text,
      event jsonb NOT NULL,
      reason text NOT NULL,
      failed_at timestamptz NOT NULL DEFAULT now()
    );

    ALTER TABLE ewa_requests ADD COLUMN settled_by_run_id uuid;

    -- Latest known state per aggregate, as events report it. Events may come
    -- twice or out of order: a row only moves to a higher version, and the
    -- amount, once known, is kept.
    CREATE TABLE dashboard_aggregates (
      tenant_id text NOT NULL,
      aggregate_type text NOT NULL,
      aggregate_id uuid NOT NULL,
      version integer NOT NULL,
      status text NOT NULL,
      currency text,
      amount_minor bigint,
      PRIMARY KEY (aggregate_type, aggregate_id)
    );
    CREATE INDEX dashboard_aggregates_by_tenant ON dashboard_aggregates (tenant_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE dashboard_aggregates;
    ALTER TABLE ewa_requests DROP COLUMN settled_by_run_id;
    DROP TABLE subscriber_dead_letters;
    DROP TABLE inbox;
  `.execute(db);
}
