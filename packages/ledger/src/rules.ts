import type { DB } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

/** A default limit, for every tenant without its own: the most an account of the class may hold. */
export interface DefaultLimit {
  accountClass: string;
  /** ISO 4217, or `*` for any currency without a limit of its own. */
  currency: string;
  maxBalanceMinor: number;
}

/**
 * Writes what the database must know of the application's rules: which
 * event types move money (`ledger_money_events`, exactly `moneyEvents`),
 * and the default limits (`ledger_limits` rows of tenant `*`, exactly
 * `defaults`; tenants' own rows are left alone). One transaction, run as
 * the owner after migrating; idempotent. Until it has run, the database
 * refuses every journal entry.
 */
export async function syncLedgerRules(
  db: Kysely<DB>,
  rules: { moneyEvents: readonly string[]; defaultLimits: readonly DefaultLimit[] },
): Promise<void> {
  const limits = rules.defaultLimits;
  await db.transaction().execute(async (trx) => {
    await sql`DELETE FROM ledger_money_events`.execute(trx);
    await sql`
      INSERT INTO ledger_money_events (event_type)
      SELECT unnest(${[...rules.moneyEvents]}::text[])
    `.execute(trx);
    await sql`DELETE FROM ledger_limits WHERE tenant_id = '*'`.execute(trx);
    await sql`
      INSERT INTO ledger_limits (tenant_id, account_class, currency, max_balance_minor)
      SELECT '*', * FROM unnest(${limits.map((l) => l.accountClass)}::text[],
                                ${limits.map((l) => l.currency)}::text[],
                                ${limits.map((l) => l.maxBalanceMinor)}::bigint[])
    `.execute(trx);
  });
}
