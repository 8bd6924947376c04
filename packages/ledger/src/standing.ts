import type { DB } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';
import { difference, minorAmount } from './amounts';

export interface AccountStanding {
  currency: string;
  balanceMinor: number | string;
  /** The limit the database enforces on it; null when none applies. */
  limitMinor: number | null;
  /** What the limit still allows; null when no limit applies. */
  availableMinor: number | string | null;
}

/**
 * The balance of the tenant's account `code` in each of its currencies, with
 * the limit that applies to it, found as the database finds it (the
 * tenant's row before the default, an exact currency before `*`). Run in
 * the tenant's transaction (row-level security).
 */
export async function accountStanding(
  db: Kysely<DB>,
  tenantId: string,
  code: string,
): Promise<AccountStanding[]> {
  const { rows } = await sql<{ currency: string; balance: string; ceiling: number | null }>`
    SELECT a.currency,
           (CASE WHEN a.type IN ('asset', 'expense') THEN a.debits_posted - a.credits_posted
                 ELSE a.credits_posted - a.debits_posted END)::text AS balance,
           (SELECT l.max_balance_minor FROM ledger_limits l
             WHERE l.tenant_id IN (a.tenant_id, '*') AND l.account_class = a.class
               AND l.currency IN (a.currency, '*')
             ORDER BY l.tenant_id = '*', l.currency = '*' LIMIT 1) AS ceiling
      FROM ledger_accounts a
     WHERE a.tenant_id = ${tenantId} AND a.code = ${code} AND a.keeps_balance
     ORDER BY a.currency
  `.execute(db);
  return rows.map((row) => ({
    currency: row.currency,
    balanceMinor: minorAmount(row.balance),
    limitMinor: row.ceiling,
    availableMinor:
      row.ceiling === null ? null : minorAmount(difference(String(row.ceiling), row.balance)),
  }));
}

/**
 * The limit an account of `accountClass` in `currency` would have for the
 * tenant: what an account not yet opened is allowed. Null when none applies.
 */
export async function limitFor(
  db: Kysely<DB>,
  tenantId: string,
  accountClass: string,
  currency: string,
): Promise<number | null> {
  const row = await db
    .selectFrom('ledger_limits')
    .select('max_balance_minor')
    .where('tenant_id', 'in', [tenantId, '*'])
    .where('account_class', '=', accountClass)
    .where('currency', 'in', [currency, '*'])
    .orderBy(sql`tenant_id = '*'`)
    .orderBy(sql`currency = '*'`)
    .limit(1)
    .executeTakeFirst();
  return row?.max_balance_minor ?? null;
}
