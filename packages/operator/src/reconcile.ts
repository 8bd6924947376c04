import type { DB } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';
import { type BooksReconciliation, reconcileBooks } from './reconcile-books';

export interface ReconcileRow {
  tenantId: string;
  eventType: string;
  transitions: number;
  audits: number;
  events: number;
}

export interface Reconciliation {
  rows: ReconcileRow[];
  /** Rows where the three counts differ. */
  mismatches: ReconcileRow[];
  /** Transitions older than this were not checked: their published events were pruned. */
  prunedBefore: string | null;
  /** The books against the history, and against themselves. */
  books: BooksReconciliation;
  /** No mismatch anywhere: history and books agree. */
  balanced: boolean;
}

/**
 * Counts, per tenant and event type, the transitions, the audit rows and the
 * outbox events, matched through each transition's audit and event ids; any
 * row one table has and another lacks shows up as a mismatch. Then the
 * books (reconcileBooks): money-moving events = journal entries = audit
 * rows, balanced entries, running balances = postings. Of one tenant, or
 * (without one) of all. Read only.
 */
export async function reconcile(db: Kysely<DB>, tenantId?: string): Promise<Reconciliation> {
  const tenant = tenantId ?? null;
  const retention = await db
    .selectFrom('outbox_retention')
    .select('pruned_before')
    .executeTakeFirst();
  // The horizon is read inside the query too, at full precision.
  const { rows } = await sql<ReconcileRow>`
    WITH horizon AS (
      SELECT coalesce((SELECT pruned_before FROM outbox_retention), '-infinity') AS at
    ), checked_transitions AS (
      SELECT tenant_id, audit_id, outbox_id
        FROM state_transitions WHERE occurred_at > (SELECT at FROM horizon)
    ), checked_events AS (
      -- Checkpoints of the audit chain are events without a transition by design.
      SELECT id, tenant_id, event_type FROM outbox
       WHERE occurred_at > (SELECT at FROM horizon) AND aggregate_type <> 'audit_chain'
    ), checked_audits AS (
      SELECT id, tenant_id, action FROM audit_log WHERE occurred_at > (SELECT at FROM horizon)
    ), keyed AS (
      -- Every transition, audit row and event, keyed by tenant and the event
      -- type of the version it belongs to: each table read once, each
      -- transition joined with its audit row and its event, and what no
      -- transition names left over on its own line of the full joins.
      SELECT coalesce(t.tenant_id, o.tenant_id, a.tenant_id) AS tenant_id,
             CASE WHEN t.tenant_id IS NOT NULL THEN coalesce(o.event_type, '(no event)')
                  WHEN o.id IS NOT NULL THEN o.event_type
                  ELSE '(audit ' || a.action || ')' END AS event_type,
             (t.tenant_id IS NOT NULL)::int AS transition,
             (a.id IS NOT NULL)::int AS audit, (o.id IS NOT NULL)::int AS event
        FROM checked_transitions t
        FULL JOIN checked_events o ON o.id = t.outbox_id
        FULL JOIN checked_audits a ON a.id = t.audit_id
    )
    SELECT tenant_id AS "tenantId", event_type AS "eventType",
           sum(transition)::int AS transitions, sum(audit)::int AS audits, sum(event)::int AS events
      FROM keyed WHERE ${tenant}::text IS NULL OR tenant_id = ${tenant}
     GROUP BY tenant_id, event_type ORDER BY tenant_id, event_type
  `.execute(db);
  const mismatches = rows.filter(
    (row) => row.transitions !== row.audits || row.audits !== row.events,
  );
  const books = await reconcileBooks(db, tenantId);
  return {
    rows,
    mismatches,
    prunedBefore: retention?.pruned_before ?? null,
    books,
    balanced: mismatches.length === 0 && books.balanced,
  };
}
