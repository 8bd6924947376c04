import type { DB } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

/** Rows one call seals at most: one short transaction, whatever the backlog. */
export const SEAL_BATCH = 5_000;

/**
 * Seals committed history into the tenants' chains and writes a checkpoint
 * event for every chain that grew, through `seal_audit_chain()` (migration
 * 0011; granted to the relay and the operator). Repeats batches until the
 * backlog below the commit horizon is sealed or `maxBatches` ran. Each batch
 * is one transaction: a crash leaves the chain as the last batch committed
 * it, and the next call carries on. Returns the rows sealed.
 */
export async function sealAuditChain(
  db: Kysely<DB>,
  options: { batch?: number; maxBatches?: number; segmentMax?: number } = {},
): Promise<number> {
  const batch = options.batch ?? SEAL_BATCH;
  let total = 0;
  for (let i = 0; i < (options.maxBatches ?? 20); i++) {
    const { rows } = await sql<{ sealed: number }>`
      SELECT seal_audit_chain(${batch}::int, ${options.segmentMax ?? 1000}::int) AS sealed
    `.execute(db);
    const sealed = rows[0]?.sealed ?? 0;
    total += sealed;
    if (sealed < batch) break;
  }
  return total;
}
