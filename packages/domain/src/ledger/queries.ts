import { isUuid, notFound } from '@auditflow/core';
import { type DB, readAsTenant } from '@auditflow/db';
import { currencyCode, externalId } from '@auditflow/events';
import { accountBalances, accountEntries, accountStanding, limitFor } from '@auditflow/ledger';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { decodeCursor, pageQuery, toPage } from '../shared/pagination';
import { EWA_RECEIVABLE_CLASS, ewaReceivableCode } from './chart';

/** Query of `GET /ledger/accounts`. */
export const listLedgerAccountsQuery = z.strictObject({
  currency: currencyCode.optional(),
  ...pageQuery,
  // Checked with the rest of the request, so a bad cursor is named with any other bad field.
  cursor: pageQuery.cursor.refine(isIssuedCursor, 'is not a valid cursor'),
});
export type ListLedgerAccountsQuery = z.infer<typeof listLedgerAccountsQuery>;

/** Query of `GET /ledger/accounts/{code}/entries`. */
export const listAccountEntriesQuery = listLedgerAccountsQuery;
export type ListAccountEntriesQuery = ListLedgerAccountsQuery;

/** An account code as a path parameter: the chart's codes, `<class>` or `<class>:<owner>`. */
export const accountCode = z
  .string({ error: 'must be a string' })
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'is not an account code');

/** An employee id as a path parameter. */
export const employeeId = externalId;

/** The tenant's accounts with their balances, newest first. */
export async function listLedgerAccounts(
  db: Kysely<DB>,
  tenantId: string,
  query: ListLedgerAccountsQuery,
) {
  const before = decodeCursor(query.cursor);
  const rows = await readAsTenant(db, tenantId, (trx) =>
    accountBalances(trx, tenantId, { limit: query.limit + 1, before, currency: query.currency }),
  );
  return toPage(rows, query.limit, ({ id: _id, ...account }) => account);
}

/** The entries posting to one of the tenant's accounts, newest first. Throws `not_found`. */
export async function listAccountEntries(
  db: Kysely<DB>,
  tenantId: string,
  code: string,
  query: ListAccountEntriesQuery,
) {
  const before = decodeCursor(query.cursor);
  const rows = await readAsTenant(db, tenantId, (trx) =>
    accountEntries(trx, tenantId, code, {
      limit: query.limit + 1,
      before,
      currency: query.currency,
    }),
  );
  if (rows === null) throw notFound('ledger account');
  return toPage(rows, query.limit, (entry) => entry);
}

/**
 * An employee's outstanding advances per currency, from the ledger (their
 * receivable), with the limit that applies and what it still allows.
 */
export async function employeeOutstanding(db: Kysely<DB>, tenantId: string, employee: string) {
  const code = ewaReceivableCode(employee);
  const standing = await readAsTenant(db, tenantId, (trx) => accountStanding(trx, tenantId, code));
  const defaultLimit = await readAsTenant(db, tenantId, (trx) =>
    limitFor(trx, tenantId, EWA_RECEIVABLE_CLASS, '*'),
  );
  return {
    employeeId: employee,
    account: code,
    outstanding: standing.map((s) => ({
      currency: s.currency,
      outstandingMinor: s.balanceMinor,
      limitMinor: s.limitMinor,
      availableMinor: s.availableMinor,
    })),
    /** What applies in a currency the employee has no advance in yet. */
    defaultLimitMinor: defaultLimit,
  };
}

function isIssuedCursor(cursor: string | undefined): boolean {
  return cursor === undefined || isUuid(Buffer.from(cursor, 'base64url').toString('utf8'));
}
