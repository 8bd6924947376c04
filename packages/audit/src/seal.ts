import type { DB } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

/** Transactions one call seals at most (three rows each for an audited write): one short transaction. */
export const SEAL_BATCH = 2_000;

/**
 * Seals committed history into the tenants' chains and writes a checkpoint
 * event for every chain that grew, through `seal_audit_chain()` (migration
 * 0015; granted to the relay and the operator): whole transactions, oldest
 * first, `batch` per call, until the backlog below the commit horizon is
 * sealed or `maxBatches` calls ran. Each call is one transaction: a crash
 * leaves the chain as the last call committed it, and the next carries on.
 * Returns the rows sealed.
 */
export async function sealAuditChain(
  db: Kysely<DB>,
  options: { batch?: number; maxBatches?: number; segmentMax?: number } = {},
): Promise<number> {
  let total = 0;
  for (let i = 0; i < (options.maxBatches ?? 20); i++) {
    const { rows } = await sql<{ sealed: number }>`
      SELECT seal_audit_chain(${options.batch ?? SEAL_BATCH}::int, ${options.segmentMax ?? 1000}::int) AS sealed
    `.execute(db);
    const sealed = rows[0]?.sealed ?? 0;
    total += sealed;
    if (sealed === 0) break;
  }
  return total;
}
