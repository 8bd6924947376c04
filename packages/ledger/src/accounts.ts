import { newId } from '@auditflow/core';
import type { DB, LedgerAccountType } from '@auditflow/db';
import { sql, type Transaction } from 'kysely';
import type { AccountDirectory } from './account-directory';
import type { AccountRef } from './journal';

export interface OpenAccount {
  id: string;
  code: string;
  type: LedgerAccountType;
  currency: string;
}

const keyOf = (ref: { code: string; currency: string }) => `${ref.currency}\u0000${ref.code}`;

/**
 * The tenant's accounts for `refs`, opened where missing. Idempotent and safe
 * under concurrency: a racing opener waits on the unique key and then finds
 * the committed account. Must run in the tenant's transaction. Accounts in
 * `directory` (seen committed before) are not looked up again. Throws (a
 * bug) when an account exists with another type than the chart says.
 */
export async function openAccounts(
  trx: Transaction<DB>,
  tenantId: string,
  refs: readonly AccountRef[],
  directory?: AccountDirectory,
): Promise<Map<string, OpenAccount>> {
  const wanted = new Map(refs.map((ref) => [keyOf(ref), ref]));
  const found = new Map<string, OpenAccount>();
  for (const [key, ref] of wanted) {
    const known = directory?.find(tenantId, ref);
    if (known) found.set(key, known);
  }
  const unknown = [...wanted].filter(([key]) => !found.has(key)).map(([, ref]) => ref);
  if (unknown.length > 0) {
    for (const [key, account] of await findAccounts(trx, tenantId, unknown))
      found.set(key, account);
  }
  const missing = [...wanted.values()].filter((ref) => !found.has(keyOf(ref)));
  if (missing.length > 0) {
    await trx
      .insertInto('ledger_accounts')
      .values(
        missing.map((ref) => ({
          id: newId(),
          tenant_id: tenantId,
          code: ref.code,
          type: ref.type,
          currency: ref.currency,
        })),
      )
      .onConflict((conflict) => conflict.columns(['tenant_id', 'code', 'currency']).doNothing())
      .execute();
    for (const [key, account] of await findAccounts(trx, tenantId, missing))
      found.set(key, account);
  }
  for (const [key, ref] of wanted) {
    const account = found.get(key);
    if (!account) throw new Error(`ledger account ${ref.code} (${ref.currency}) was not opened`);
    if (account.type !== ref.type) {
      throw new Error(
        `ledger account ${ref.code} (${ref.currency}) is ${account.type}, not ${ref.type}`,
      );
    }
  }
  return found;
}

/** Looks up one opened account by its ref. */
export function accountFor(accounts: Map<string, OpenAccount>, ref: AccountRef): OpenAccount {
  const account = accounts.get(keyOf(ref));
  if (!account) throw new Error(`ledger account ${ref.code} (${ref.currency}) was not opened`);
  return account;
}

async function findAccounts(
  trx: Transaction<DB>,
  tenantId: string,
  refs: readonly AccountRef[],
): Promise<Map<string, OpenAccount>> {
  const { rows } = await sql<OpenAccount>`
    SELECT a.id, a.code, a.type, a.currency FROM ledger_accounts a
      JOIN unnest(${refs.map((r) => r.code)}::text[], ${refs.map((r) => r.currency)}::text[])
        AS w(code, currency) ON a.code = w.code AND a.currency = w.currency
     WHERE a.tenant_id = ${tenantId}
  `.execute(trx);
  return new Map(rows.map((row) => [keyOf(row), row]));
}
