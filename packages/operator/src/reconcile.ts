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
      -- Every transition, audit row and event, keyed by tenant and the
      -- event type of the version it belongs to.
      SELECT t.tenant_id, coalesce(o.event_type, '(no event)') AS event_type,
             1 AS transition, (a.id IS NOT NULL)::int AS audit, (o.id IS NOT NULL)::int AS event
        FROM checked_transitions t
        LEFT JOIN audit_log a ON a.id = t.audit_id
        LEFT JOIN outbox o ON o.id = t.outbox_id
      UNION ALL
      SELECT o.tenant_id, o.event_type, 0, 0, 1
        FROM checked_events o
       WHERE NOT EXISTS (SELECT 1 FROM state_transitions t WHERE t.outbox_id = o.id)
      UNION ALL
      SELECT a.tenant_id, '(audit ' || a.action || ')', 0, 1, 0
        FROM checked_audits a
       WHERE NOT EXISTS (SELECT 1 FROM state_transitions t WHERE t.audit_id = a.id)
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
