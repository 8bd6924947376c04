import type { DB } from '@auditflow/db';
import { reconcileBooks } from '@auditflow/operator';
import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';

/**
 * The invariant, checked from the tables themselves: for every tenant, the
 * number of transitions, audit rows and outbox events is the same, and every
 * transition's audit row and event exist and belong to its version. Rows at
 * or before the retention horizon are left out: their events may be pruned.
 */
export async function expectBalancedLedger(db: Kysely<DB>): Promise<void> {
  const { rows } = await sql<{
    tenant_id: string;
    transitions: number;
    audits: number;
    events: number;
    unmatched: number;
  }>`
    WITH horizon AS (
      SELECT coalesce((SELECT pruned_before FROM outbox_retention), '-infinity') AS at
    ), state_transitions AS (
      SELECT * FROM state_transitions WHERE occurred_at > (SELECT at FROM horizon)
    ), audit_log AS (
      SELECT * FROM audit_log WHERE occurred_at > (SELECT at FROM horizon)
    ), outbox AS (
      -- Checkpoint events of the audit chain are not history of a change.
      SELECT * FROM outbox
       WHERE occurred_at > (SELECT at FROM horizon) AND aggregate_type <> 'audit_chain'
    ), tenants AS (
      SELECT tenant_id FROM state_transitions UNION SELECT tenant_id FROM audit_log
      UNION SELECT tenant_id FROM outbox
    )
    SELECT t.tenant_id,
      (SELECT count(*)::int FROM state_transitions s WHERE s.tenant_id = t.tenant_id) AS transitions,
      (SELECT count(*)::int FROM audit_log a WHERE a.tenant_id = t.tenant_id) AS audits,
      (SELECT count(*)::int FROM outbox o WHERE o.tenant_id = t.tenant_id) AS events,
      (SELECT count(*)::int FROM state_transitions s
        LEFT JOIN audit_log a ON a.id = s.audit_id AND a.entity_id = s.aggregate_id
          AND a.entity_version = s.version AND a.txid = s.txid
        LEFT JOIN outbox o ON o.id = s.outbox_id AND o.aggregate_id = s.aggregate_id
          AND o.aggregate_version = s.version AND o.txid = s.txid
        WHERE s.tenant_id = t.tenant_id AND (a.id IS NULL OR o.id IS NULL)) AS unmatched
    FROM tenants t
  `.execute(db);
  for (const row of rows) {
    expect(row, `ledger of tenant ${row.tenant_id}`).toEqual({
      tenant_id: row.tenant_id,
      transitions: row.transitions,
      audits: row.transitions,
      events: row.transitions,
      unmatched: 0,
    });
  }
}

/**
 * The books, checked from the tables themselves: per tenant, money-moving
 * events = journal entries = audit rows of the actions that record them,
 * each entry balanced per currency on accounts of its tenant and currency,
 * every running balance the sum of its postings.
 */
export async function expectBalancedBooks(db: Kysely<DB>): Promise<void> {
  const books = await reconcileBooks(db);
  expect(
    {
      mismatches: books.mismatches,
      balanceMismatches: books.balanceMismatches,
      entryFaults: books.entryFaults,
    },
    'the books',
  ).toEqual({ mismatches: [], balanceMismatches: [], entryFaults: [] });
}
