import type { DB } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

/** Per tenant and money-moving event type: how many of each, and how many fail to pair up. */
export interface BooksRow {
  tenantId: string;
  eventType: string;
  events: number;
  entries: number;
  audits: number;
  /** Entries without their event or audit row, and events without their entry. */
  unmatched: number;
}

/** A tracked account whose running counters differ from its postings (or an untracked one with counters). */
export interface BalanceMismatch {
  tenantId: string;
  code: string;
  currency: string;
  debitsPosted: string;
  creditsPosted: string;
  debitsOfPostings: string;
  creditsOfPostings: string;
}

/** An entry the ledger's own rules refuse, found after the fact. */
export interface EntryFault {
  tenantId: string;
  entryId: string;
  fault: 'unbalanced' | 'no postings' | 'posting to a foreign or other-currency account';
  currency: string | null;
}

export interface BooksReconciliation {
  rows: BooksRow[];
  /** Rows whose counts differ or that have unmatched rows. */
  mismatches: BooksRow[];
  balanceMismatches: BalanceMismatch[];
  entryFaults: EntryFault[];
  balanced: boolean;
}

/**
 * The books against the history, from the tables themselves: per tenant and
 * money-moving event type, events = journal entries = audit rows of the
 * actions that record those events (matched through the transitions and
 * the legal moves, so it does not trust the entries' own references), each
 * entry paired with its event and audit row; every entry balanced per
 * currency on accounts of its tenant and currency; every running balance
 * equal to the sum of its postings. Rows at or before the retention horizon
 * are left out, as their events may be pruned. Of one tenant or of all.
 * Read only.
 */
export async function reconcileBooks(
  db: Kysely<DB>,
  tenantId?: string,
): Promise<BooksReconciliation> {
  const tenant = tenantId ?? null;
  const { rows } = await sql<BooksRow>`
    WITH horizon AS (
      SELECT coalesce((SELECT pruned_before FROM outbox_retention), '-infinity') AS at
    ), events AS (
      SELECT o.id, o.tenant_id, o.event_type FROM outbox o
       WHERE o.occurred_at > (SELECT at FROM horizon)
         AND o.event_type IN (SELECT event_type FROM ledger_money_events)
    ), entries AS (
      SELECT e.id, e.tenant_id, e.event_type, e.event_id, e.audit_id FROM ledger_entries e
       WHERE e.occurred_at > (SELECT at FROM horizon)
    ), audits AS (
      SELECT a.id, a.tenant_id, l.event_type FROM audit_log a
        JOIN state_transitions t ON t.audit_id = a.id AND t.tenant_id = a.tenant_id
        JOIN legal_transitions l ON l.aggregate_type = t.aggregate_type AND l.command = t.command
         AND coalesce(l.from_status, '') = coalesce(t.from_status, '') AND l.to_status = t.to_status
       WHERE a.occurred_at > (SELECT at FROM horizon)
         AND l.event_type IN (SELECT event_type FROM ledger_money_events)
    ), keyed AS (
      SELECT tenant_id, event_type, 1 AS event, 0 AS entry, 0 AS audit,
             (NOT EXISTS (SELECT 1 FROM entries n WHERE n.event_id = v.id AND n.tenant_id = v.tenant_id))::int AS unmatched
        FROM events v
      UNION ALL
      SELECT tenant_id, event_type, 0, 1, 0,
             (NOT EXISTS (SELECT 1 FROM events v WHERE v.id = n.event_id AND v.tenant_id = n.tenant_id
                                                   AND v.event_type = n.event_type)
              OR NOT EXISTS (SELECT 1 FROM audits a WHERE a.id = n.audit_id AND a.tenant_id = n.tenant_id
                                                      AND a.event_type = n.event_type))::int
        FROM entries n
      UNION ALL
      SELECT tenant_id, event_type, 0, 0, 1, 0 FROM audits
    )
    SELECT tenant_id AS "tenantId", event_type AS "eventType", sum(event)::int AS events,
           sum(entry)::int AS entries, sum(audit)::int AS audits, sum(unmatched)::int AS unmatched
      FROM keyed WHERE ${tenant}::text IS NULL OR tenant_id = ${tenant}
     GROUP BY tenant_id, event_type ORDER BY tenant_id, event_type
  `.execute(db);

  const { rows: balanceMismatches } = await sql<BalanceMismatch>`
    SELECT a.tenant_id AS "tenantId", a.code, a.currency,
           a.debits_posted::text AS "debitsPosted", a.credits_posted::text AS "creditsPosted",
           coalesce(s.debits, 0)::text AS "debitsOfPostings", coalesce(s.credits, 0)::text AS "creditsOfPostings"
      FROM ledger_accounts a
      LEFT JOIN LATERAL (
        SELECT sum(p.amount_minor) FILTER (WHERE p.side = 'debit') AS debits,
               sum(p.amount_minor) FILTER (WHERE p.side = 'credit') AS credits
          FROM ledger_postings p WHERE p.account_id = a.id
      ) s ON true
     WHERE (${tenant}::text IS NULL OR a.tenant_id = ${tenant})
       AND CASE WHEN a.keeps_balance
                THEN a.debits_posted <> coalesce(s.debits, 0) OR a.credits_posted <> coalesce(s.credits, 0)
                ELSE a.debits_posted <> 0 OR a.credits_posted <> 0 END
     ORDER BY a.tenant_id, a.code, a.currency
  `.execute(db);

  const { rows: entryFaults } = await sql<EntryFault>`
    SELECT e.tenant_id AS "tenantId", e.id AS "entryId",
           CASE WHEN p.currency IS NULL THEN 'no postings' ELSE 'unbalanced' END AS fault,
           p.currency
      FROM ledger_entries e LEFT JOIN ledger_postings p ON p.entry_id = e.id
     WHERE ${tenant}::text IS NULL OR e.tenant_id = ${tenant}
     GROUP BY e.tenant_id, e.id, p.currency
    HAVING p.currency IS NULL
        OR sum(CASE p.side WHEN 'debit' THEN p.amount_minor::numeric ELSE -p.amount_minor::numeric END) <> 0
    UNION ALL
    SELECT DISTINCT p.tenant_id, p.entry_id, 'posting to a foreign or other-currency account', p.currency
      FROM ledger_postings p LEFT JOIN ledger_accounts a ON a.id = p.account_id
     WHERE (${tenant}::text IS NULL OR p.tenant_id = ${tenant})
       AND (a.id IS NULL OR a.tenant_id <> p.tenant_id OR a.currency <> p.currency)
     ORDER BY 1, 2
  `.execute(db);

  const mismatches = rows.filter(
    (row) => row.events !== row.entries || row.entries !== row.audits || row.unmatched > 0,
  );
  return {
    rows,
    mismatches,
    balanceMismatches,
    entryFaults,
    balanced: mismatches.length === 0 && balanceMismatches.length === 0 && entryFaults.length === 0,
  };
}
