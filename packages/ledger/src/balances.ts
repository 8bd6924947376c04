import type { DB, LedgerAccountType } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';
import { difference, minorAmount } from './amounts';
import { isDebitNormal } from './journal';

export interface AccountBalance {
  id: string;
  code: string;
  type: LedgerAccountType;
  currency: string;
  debitsMinor: number | string;
  creditsMinor: number | string;
  /** On the account's normal side: debits - credits for assets and expenses, the reverse otherwise. */
  balanceMinor: number | string;
}

interface BalanceRow {
  id: string;
  code: string;
  type: LedgerAccountType;
  currency: string;
  debits: string;
  credits: string;
}

/**
 * The balances of the tenant's accounts, newest account first, `limit` at a
 * time before the account id `before`. A tracked account's balance is its
 * running counters (which reconciliation proves equal to its postings); any
 * other account's is the sum of its postings. Run in the tenant's
 * transaction (row-level security).
 */
export async function accountBalances(
  db: Kysely<DB>,
  tenantId: string,
  page: { limit: number; before?: string | undefined; currency?: string | undefined },
): Promise<AccountBalance[]> {
  const { rows } = await sql<BalanceRow>`
    SELECT a.id, a.code, a.type, a.currency,
           (CASE WHEN a.keeps_balance THEN a.debits_posted ELSE coalesce(s.debits, 0) END)::text AS debits,
           (CASE WHEN a.keeps_balance THEN a.credits_posted ELSE coalesce(s.credits, 0) END)::text AS credits
      FROM ledger_accounts a
      LEFT JOIN LATERAL (
        SELECT sum(p.amount_minor) FILTER (WHERE p.side = 'debit') AS debits,
               sum(p.amount_minor) FILTER (WHERE p.side = 'credit') AS credits
          FROM ledger_postings p WHERE p.account_id = a.id
      ) s ON NOT a.keeps_balance
     WHERE a.tenant_id = ${tenantId}
       AND (${page.before ?? null}::uuid IS NULL OR a.id < ${page.before ?? null}::uuid)
       AND (${page.currency ?? null}::text IS NULL OR a.currency = ${page.currency ?? null})
     ORDER BY a.id DESC
     LIMIT ${page.limit}
  `.execute(db);
  return rows.map(presentBalance);
}

export function presentBalance(row: BalanceRow): AccountBalance {
  const balance = isDebitNormal(row.type)
    ? difference(row.debits, row.credits)
    : difference(row.credits, row.debits);
  return {
    id: row.id,
    code: row.code,
    type: row.type,
    currency: row.currency,
    debitsMinor: minorAmount(row.debits),
    creditsMinor: minorAmount(row.credits),
    balanceMinor: minorAmount(balance),
  };
}
