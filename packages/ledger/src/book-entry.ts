import { AppError, newId } from '@auditflow/core';
import type { DB } from '@auditflow/db';
import { sql, type Transaction } from 'kysely';
import type { AccountDirectory } from './account-directory';
import { accountFor, type OpenAccount, openAccounts } from './accounts';
import type { JournalEntryDraft } from './journal';

/** What caused an entry: the event and audit row of the change, in the same transaction. */
export interface EntryCause {
  tenantId: string;
  correlationId: string;
  eventId: string;
  auditId: string;
}

/** SQLSTATE of a tracked balance pushed past its limit (migration 0012-ledger). */
const LIMIT_EXCEEDED = 'AF022';

/**
 * Books a journal entry in the transaction of the change that caused it:
 * opens its accounts where missing, then inserts the entry and all its
 * postings in one statement (the database checks them at its end: balanced
 * per currency, accounts of the tenant in their currency, tracked balances
 * within their limits). Must run after the cause's event and audit row were
 * appended. Returns the entry's id and the accounts it posted to (for the
 * caller to remember in `directory` once the transaction has committed).
 * Throws `limit_exceeded` (409) when a limited balance would pass its limit;
 * the transaction is then lost, so nothing of the change commits.
 */
export async function bookEntry(
  trx: Transaction<DB>,
  cause: EntryCause,
  draft: JournalEntryDraft,
  directory?: AccountDirectory,
): Promise<{ entryId: string; accounts: OpenAccount[] }> {
  const accounts = await openAccounts(
    trx,
    cause.tenantId,
    draft.postings.map((posting) => posting.account),
    directory,
  );
  const entryId = newId();
  const postings = draft.postings.map((posting) => ({
    id: newId(),
    account: accountFor(accounts, posting.account).id,
    side: posting.side,
    amount: posting.amountMinor,
    currency: posting.account.currency,
  }));
  try {
    // One round trip: the entry in a CTE, its postings in the statement.
    await sql`
      WITH entry AS (
        INSERT INTO ledger_entries (id, tenant_id, description, event_id, audit_id, correlation_id)
        VALUES (${entryId}, ${cause.tenantId}, ${draft.description}, ${cause.eventId},
                ${cause.auditId}, ${cause.correlationId})
        RETURNING id
      )
      INSERT INTO ledger_postings (id, tenant_id, entry_id, account_id, side, amount_minor, currency)
      SELECT p.id, ${cause.tenantId}, entry.id, p.account_id, p.side, p.amount_minor, p.currency
        FROM entry, unnest(${postings.map((p) => p.id)}::uuid[], ${postings.map((p) => p.account)}::uuid[],
                           ${postings.map((p) => p.side)}::text[], ${postings.map((p) => p.amount)}::bigint[],
                           ${postings.map((p) => p.currency)}::text[])
          AS p(id, account_id, side, amount_minor, currency)
    `.execute(trx);
  } catch (error) {
    if (isLimitExceeded(error)) throw limitExceeded(error);
    throw error;
  }
  return { entryId, accounts: [...accounts.values()] };
}

function isLimitExceeded(error: unknown): error is { code: string; detail?: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === LIMIT_EXCEEDED
  );
}

function limitExceeded(error: { detail?: string }): AppError {
  let message = 'This would take a ledger balance beyond its limit.';
  try {
    const detail = JSON.parse(error.detail ?? '') as {
      code: string;
      currency: string;
      balance: string;
      limit: string | null;
    };
    message =
      detail.limit === null || detail.balance.startsWith('-')
        ? `This would take ledger account ${detail.code} (${detail.currency}) below zero.`
        : `This would take ledger account ${detail.code} (${detail.currency}) to ${detail.balance}, beyond its limit of ${detail.limit}.`;
  } catch {
    // The generic message stands.
  }
  return new AppError('limit_exceeded', message, { cause: error });
}
