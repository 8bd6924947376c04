import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from './database';

/** The setting row-level security reads (migration 0008-row-level-security). */
export const TENANT_SETTING = 'auditflow.tenant_id';

/**
 * Names the tenant of the current transaction: from here to its end, the
 * login roles see and write only this tenant's rows. Transaction-local
 * (`set_config(…, true)`), so a pooled connection never carries it into the
 * next transaction.
 */
export async function setTransactionTenant(trx: Transaction<DB>, tenantId: string): Promise<void> {
  await sql`SELECT set_config(${TENANT_SETTING}, ${tenantId}, true)`.execute(trx);
}

/**
 * Runs `read` in a transaction of the tenant: how every read of tenant data
 * runs, since row-level security shows a transaction that names no tenant
 * nothing.
 */
export async function readAsTenant<R>(
  db: Kysely<DB>,
  tenantId: string,
  read: (trx: Transaction<DB>) => Promise<R>,
): Promise<R> {
  return db.transaction().execute(async (trx) => {
    await setTransactionTenant(trx, tenantId);
    return read(trx);
  });
}
