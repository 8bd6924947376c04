import type { DB, PostingSide } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

export interface EntryPosting {
  accountCode: string;
  currency: string;
  side: PostingSide;
  amountMinor: number;
}

export interface JournalEntry {
  id: string;
  occurredAt: string;
  description: string;
  eventId: string;
  eventType: string;
  auditId: string;
  correlationId: string;
  postings: EntryPosting[];
}

/**
 * The entries that post to the tenant's account `code` (in any currency, or
 * in `currency`), newest first, `limit` at a time before the entry id
 * `before`, each with all its postings. Null when the tenant has no account
 * of that code. Run in the tenant's transaction (row-level security).
 */
export async function accountEntries(
  db: Kysely<DB>,
  tenantId: string,
  code: string,
  page: { limit: number; before?: string | undefined; currency?: string | undefined },
): Promise<JournalEntry[] | null> {
  const accounts = await db
    .selectFrom('ledger_accounts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('code', '=', code)
    .$if(page.currency !== undefined, (q) => q.where('currency', '=', page.currency as string))
    .execute();
  if (accounts.length === 0) return null;
  const { rows: entries } = await sql<{
    id: string;
    occurred_at: string;
    description: string;
    event_id: string;
    event_type: string;
    audit_id: string;
    correlation_id: string;
  }>`
    SELECT e.id, e.occurred_at, e.description, e.event_id, e.event_type, e.audit_id, e.correlation_id
      FROM ledger_entries e
     WHERE e.tenant_id = ${tenantId}
       AND e.id IN (SELECT p.entry_id FROM ledger_postings p
                     WHERE p.account_id = ANY(${accounts.map((a) => a.id)}::uuid[]))
       AND (${page.before ?? null}::uuid IS NULL OR e.id < ${page.before ?? null}::uuid)
     ORDER BY e.id DESC
     LIMIT ${page.limit}
  `.execute(db);
  if (entries.length === 0) return [];
  const postings = await db
    .selectFrom('ledger_postings as p')
    .innerJoin('ledger_accounts as a', 'a.id', 'p.account_id')
    .select(['p.entry_id', 'a.code', 'p.currency', 'p.side', 'p.amount_minor'])
    .where(
      'p.entry_id',
      'in',
      entries.map((e) => e.id),
    )
    .orderBy('p.entry_id')
    .orderBy('p.side', 'desc')
    .orderBy('a.code')
    .execute();
  return entries.map((entry) => ({
    id: entry.id,
    occurredAt: entry.occurred_at,
    description: entry.description,
    eventId: entry.event_id,
    eventType: entry.event_type,
    auditId: entry.audit_id,
    correlationId: entry.correlation_id,
    postings: postings
      .filter((p) => p.entry_id === entry.id)
      .map((p) => ({
        accountCode: p.code,
        currency: p.currency,
        side: p.side,
        amountMinor: p.amount_minor,
      })),
  }));
}
