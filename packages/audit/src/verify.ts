import type { DB } from '@auditflow/db';
import type { Kysely } from 'kysely';
import {
  type ChainEntry,
  type HistoryRow,
  readChainState,
  readEntries,
  readHistory,
} from './chain-reads';
import type { CheckpointConflict, CheckpointStore, StoredCheckpoint } from './checkpoint';
import { type Finding, type TenantReport, verifyTenant } from './verify-tenant';

export interface VerifyReport {
  ok: boolean;
  /** The first finding of the first tenant that has one. */
  first: Finding | null;
  tenants: TenantReport[];
  conflicts: CheckpointConflict[];
  rows: number;
  durationMs: number;
}

function groupBy<T extends { tenantId: string }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.tenantId);
    if (group) group.push(item);
    else groups.set(item.tenantId, [item]);
  }
  return groups;
}

/**
 * Recomputes every chain (or one tenant's) from the database and compares it
 * with the rows and with the checkpoints kept outside. Content hashes are
 * computed by Postgres's built-in functions next to the rows, unless
 * `rebuildHere` asks for the content text to be rebuilt and hashed in this
 * process (see readHistory); links and checkpoints are always checked here. Read only, in one
 * REPEATABLE READ snapshot; the checkpoints are listed before the snapshot
 * is taken, so every entry a stored checkpoint covers had committed by then
 * and a concurrent seal cannot look like a truncation.
 */
export async function verifyChains(
  db: Kysely<DB>,
  store: CheckpointStore,
  options: { tenantId?: string; rebuildHere?: boolean } = {},
): Promise<VerifyReport> {
  const started = performance.now();
  const stored = await store.list(options.tenantId);
  const { entries, rows, state } = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => ({
      entries: await readEntries(trx, options.tenantId),
      rows: await readHistory(
        trx,
        { tenantId: options.tenantId },
        { rebuildHere: options.rebuildHere },
      ),
      state: await readChainState(trx),
    }));
  const entriesOf = groupBy<ChainEntry>(entries);
  const rowsOf = groupBy<HistoryRow>(rows);
  const checkpointsOf = groupBy<StoredCheckpoint>(stored.checkpoints);
  const tenants = [...new Set([...entriesOf.keys(), ...rowsOf.keys(), ...checkpointsOf.keys()])]
    .filter((tenant) => options.tenantId === undefined || tenant === options.tenantId)
    .sort();
  const reports = tenants.map((tenantId) => {
    const report = verifyTenant({
      tenantId,
      entries: entriesOf.get(tenantId) ?? [],
      rows: rowsOf.get(tenantId) ?? [],
      checkpoints: checkpointsOf.get(tenantId) ?? [],
      state,
    });
    for (const conflict of stored.conflicts.filter((c) => c.tenantId === tenantId)) {
      report.findings.push({
        kind: 'checkpoint_conflict',
        tenantId,
        detail: `checkpoint ${conflict.checkpointNo}: ${conflict.detail}`,
      });
      report.ok = false;
    }
    return report;
  });
  const first = reports.find((report) => !report.ok)?.findings[0] ?? null;
  return {
    ok: reports.every((report) => report.ok),
    first,
    tenants: reports,
    conflicts: stored.conflicts,
    rows: rows.length,
    durationMs: performance.now() - started,
  };
}
