import { type DB, setTransactionTenant } from '@auditflow/db';
import type { Kysely } from 'kysely';
import { checkpointsHolding, readEntriesOf, readHistory } from './chain-reads';
import { type CheckpointStore, checkpointKey, type StoredCheckpoint } from './checkpoint';
import { CHAIN_ENCODING, type EntryKind } from './encoding';

export const EXPORT_FORMAT = 'auditflow.audit-export.v1';

/** One history row of the entity with what proves it. */
export interface ExportedRow {
  kind: EntryKind;
  id: string;
  /** The exact text that was hashed; null for an event pruned after publication. */
  content: string | null;
  seq: number | null;
  contentHash: string | null;
  prevHash: string | null;
  hash: string | null;
  /** The stored checkpoint whose segment holds `hash`; null while none does yet. */
  checkpointNo: number | null;
}

export interface AuditExport {
  format: typeof EXPORT_FORMAT;
  encoding: typeof CHAIN_ENCODING;
  tenantId: string;
  entityId: string;
  exportedAt: string;
  rows: ExportedRow[];
  /** Each checkpoint a row refers to, as stored outside the database, with its key there. */
  checkpoints: (StoredCheckpoint & { key: string })[];
}

/**
 * One entity's whole history (its audit rows, transitions and events, in
 * chain order, unsealed rows last) with the proof of each row: the content
 * text, its chain entry (position, predecessor's hash, hash) and the stored
 * checkpoint whose segment lists that hash. Anyone holding the export checks
 * it offline (verifyExport, or docs/audit-verification.md by hand) and
 * compares the checkpoints with the ones in the bucket under their keys.
 * Read in one REPEATABLE READ snapshot that names the tenant (by the
 * operator's role or, under row-level security, the API's): the entity's
 * rows, their entries through the chain's unique key and the numbers of the
 * checkpoints that hold them; then only those checkpoints from the store.
 * So an export costs the entity's size, not the tenant's.
 */
export async function exportEntity(
  db: Kysely<DB>,
  store: CheckpointStore,
  options: { tenantId: string; entityId: string },
): Promise<AuditExport> {
  const { entries, rows, holding } = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      // Named, so a role under row-level security (the API's) reads this tenant's rows.
      await setTransactionTenant(trx, options.tenantId);
      const rows = await readHistory(trx, options, { rebuildHere: true });
      // Pruned events of the entity are known only by their entry: its row id
      // is the event id, which the entity's transitions name.
      const named = new Set(rows.map((row) => `${row.kind}:${row.id}`));
      const prunedEventIds = rows
        .filter((row) => row.kind === 'transition')
        .map((row) => JSON.parse(row.content ?? '[]')[13] as string)
        .filter((eventId) => !named.has(`event:${eventId}`));
      const entries = await readEntriesOf(trx, options.tenantId, [
        ...rows.map((row) => ({ kind: row.kind, rowId: row.id })),
        ...prunedEventIds.map((rowId) => ({ kind: 'event' as const, rowId })),
      ]);
      const holding = await checkpointsHolding(
        trx,
        options.tenantId,
        entries.map((entry) => entry.seq),
      );
      return { entries, rows, holding };
    });
  // Only the checkpoints that hold the entity's entries, from the store: a
  // checkpoint the database recorded but the store does not have yet leaves
  // its rows without one, as unproven, never as proven.
  const { checkpoints } = await store.read(options.tenantId, holding);
  const contentOf = new Map(rows.map((row) => [`${row.kind}:${row.id}`, row]));
  const segmentOf = (seq: number) =>
    checkpoints.find((checkpoint) => checkpoint.fromSeq <= seq && seq <= checkpoint.toSeq);
  const exported: ExportedRow[] = [];
  const used = new Set<StoredCheckpoint>();
  const sealed = new Set<string>();
  for (const entry of entries) {
    const key = `${entry.kind}:${entry.rowId}`;
    sealed.add(key);
    const checkpoint = segmentOf(entry.seq);
    if (checkpoint) used.add(checkpoint);
    exported.push({
      kind: entry.kind,
      id: entry.rowId,
      content: contentOf.get(key)?.content ?? null,
      seq: entry.seq,
      contentHash: entry.contentHash,
      prevHash: entry.prevHash,
      hash: entry.hash,
      checkpointNo: checkpoint?.checkpointNo ?? null,
    });
  }
  for (const row of rows) {
    if (sealed.has(`${row.kind}:${row.id}`)) continue;
    exported.push({
      kind: row.kind,
      id: row.id,
      content: row.content,
      seq: null,
      contentHash: null,
      prevHash: null,
      hash: null,
      checkpointNo: null,
    });
  }
  return {
    format: EXPORT_FORMAT,
    encoding: CHAIN_ENCODING,
    tenantId: options.tenantId,
    entityId: options.entityId,
    exportedAt: new Date().toISOString(),
    rows: exported,
    checkpoints: [...used].map((checkpoint) => ({
      ...checkpoint,
      key: checkpointKey(checkpoint.tenantId, checkpoint.checkpointNo),
    })),
  };
}
