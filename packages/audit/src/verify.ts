import type { DB } from '@auditflow/db';
import type { Kysely } from 'kysely';
import {
  type CheckedEntry,
  type HistoryRow,
  readChainAgainstRows,
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
  const { entries, unchained, state } = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => ({
      ...(options.rebuildHere
        ? await rebuiltHere(trx, options.tenantId)
        : await readChainAgainstRows(trx, options.tenantId)),
      state: await readChainState(trx),
    }));
  const entriesOf = groupBy<CheckedEntry>(entries);
  const rowsOf = groupBy<HistoryRow>(unchained);
  const checkpointsOf = groupBy<StoredCheckpoint>(stored.checkpoints);
  const tenants = [...new Set([...entriesOf.keys(), ...rowsOf.keys(), ...checkpointsOf.keys()])]
    .filter((tenant) => options.tenantId === undefined || tenant === options.tenantId)
    .sort();
  const reports = tenants.map((tenantId) => {
    const report = verifyTenant({
      tenantId,
      entries: entriesOf.get(tenantId) ?? [],
      unchained: rowsOf.get(tenantId) ?? [],
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
    rows: entries.length + unchained.length,
    durationMs: performance.now() - started,
  };
}

/** The same inputs, with every row's content text rebuilt and hashed in this process. */
async function rebuiltHere(
  trx: Parameters<typeof readEntries>[0],
  tenantId: string | undefined,
): Promise<{ entries: CheckedEntry[]; unchained: HistoryRow[] }> {
  const chain = await readEntries(trx, tenantId);
  const rows = await readHistory(trx, { tenantId }, { rebuildHere: true });
  const byKey = new Map(rows.map((row) => [`${row.kind}:${row.id}`, row]));
  const entries = chain.map((entry) => {
    const key = `${entry.kind}:${entry.rowId}`;
    const row = byKey.get(key);
    byKey.delete(key);
    return { ...entry, rowContentHash: row?.contentHash ?? null };
  });
  return { entries, unchained: [...byKey.values()] };
}
