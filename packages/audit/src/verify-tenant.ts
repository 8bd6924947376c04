import type { ChainState, CheckedEntry, HistoryRow } from './chain-reads';
import type { StoredCheckpoint } from './checkpoint';
import { CHAIN_ENCODING, type EntryKind, GENESIS_HASH, linkHash } from './encoding';

export type FindingKind =
  /** A row's content no longer hashes to its entry's content hash: an edit. */
  | 'content_mismatch'
  /** An entry does not link to its predecessor, or its hash is not its own: an insert, delete or reorder inside the chain. */
  | 'link_mismatch'
  /** Positions are missing from the chain. */
  | 'seq_gap'
  /** Entries are not in commit order (txid, kind, id), as sealing writes them. */
  | 'reordered'
  /** A sealed row is gone (and is not an event pruned after the retention horizon). */
  | 'missing_row'
  /** A row the chain should hold (older than what was sealed) but does not: forged after sealing. */
  | 'forged_row'
  /** The chain is shorter than its checkpoints say. */
  | 'truncated'
  /** An entry is consistent in the database but differs from the hash kept outside: the chain was rewritten. */
  | 'rewritten'
  /** The stored checkpoints do not follow on from each other. */
  | 'checkpoint_inconsistent'
  /** A stored checkpoint has a later version that differs. */
  | 'checkpoint_conflict';

export interface Finding {
  kind: FindingKind;
  tenantId: string;
  seq?: number;
  row?: { kind: EntryKind; id: string };
  detail: string;
}

export interface TenantReport {
  tenantId: string;
  ok: boolean;
  entries: number;
  /** Rows whose content was recomputed and compared. */
  rowsCompared: number;
  /** Event entries whose row was pruned after publication (links checked, content not). */
  pruned: number;
  /** Rows committed but not sealed yet: the unsealed window. */
  unsealed: number;
  checkpoints: number;
  /** The last position a stored checkpoint covers. */
  anchoredSeq: number;
  /** Sealed entries no stored checkpoint covers yet. */
  unanchored: number;
  findings: Finding[];
}

export interface TenantInput {
  tenantId: string;
  entries: CheckedEntry[];
  /** History rows no entry names: not sealed yet, or forged. */
  unchained: HistoryRow[];
  checkpoints: StoredCheckpoint[];
  state: ChainState;
}

/** (txid, kind, id) order, the order sealing appends in. */
function compareOrder(
  a: { txid: bigint; kind: string; id: string },
  b: { txid: bigint; kind: string; id: string },
): number {
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/**
 * Verifies one tenant's chain against its rows and its stored checkpoints.
 * Pure: the caller reads all three (the database in one snapshot). Findings
 * come in chain order; the first names the first row that differs.
 */
export function verifyTenant(input: TenantInput): TenantReport {
  const { tenantId, entries, checkpoints, state } = input;
  const findings: Finding[] = [];

  // What the world outside keeps: the hash of each anchored position.
  const anchored: string[] = [];
  let expectedNo = 1;
  let anchoredSeq = 0;
  let anchoredHead = GENESIS_HASH;
  for (const checkpoint of checkpoints) {
    const problem =
      checkpoint.checkpointNo !== expectedNo
        ? `checkpoint ${expectedNo} is missing before ${checkpoint.checkpointNo}`
        : checkpoint.encoding !== CHAIN_ENCODING
          ? `unknown encoding ${checkpoint.encoding}`
          : checkpoint.fromSeq !== anchoredSeq + 1 || checkpoint.prevHash !== anchoredHead
            ? `does not start where checkpoint ${expectedNo - 1} ended`
            : checkpoint.entryHashes.length !== checkpoint.toSeq - checkpoint.fromSeq + 1 ||
                checkpoint.entryHashes.at(-1) !== checkpoint.headHash
              ? 'its entry hashes do not span fromSeq..toSeq up to its head'
              : null;
    if (problem) {
      findings.push({
        kind: 'checkpoint_inconsistent',
        tenantId,
        seq: checkpoint.fromSeq,
        detail: `checkpoint ${checkpoint.checkpointNo}: ${problem}`,
      });
      // Later checkpoints cannot be placed without this one.
      break;
    }
    anchored.push(...checkpoint.entryHashes);
    anchoredSeq = checkpoint.toSeq;
    anchoredHead = checkpoint.headHash;
    expectedNo++;
  }

  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let previous: CheckedEntry | undefined;
  let rowsCompared = 0;
  let pruned = 0;
  for (const entry of entries) {
    const named = { kind: entry.kind, id: entry.rowId };
    const before = findings.length;
    if (entry.seq !== expectedSeq) {
      findings.push({
        kind: 'seq_gap',
        tenantId,
        seq: expectedSeq,
        detail:
          entry.seq > expectedSeq
            ? `positions ${expectedSeq}..${entry.seq - 1} are missing before ${entry.kind} ${entry.rowId}`
            : `position ${entry.seq} comes again`,
      });
    }
    let contentHash = entry.contentHash;
    if (entry.rowContentHash !== null) {
      rowsCompared++;
      contentHash = entry.rowContentHash;
      if (contentHash !== entry.contentHash) {
        findings.push({
          kind: 'content_mismatch',
          tenantId,
          seq: entry.seq,
          row: named,
          detail: `the ${entry.kind} row no longer hashes to what was sealed`,
        });
      }
    } else if (
      entry.kind === 'event' &&
      state.prunedBefore !== null &&
      entry.occurredAt !== null &&
      entry.occurredAt <= state.prunedBefore
    ) {
      pruned++;
    } else {
      findings.push({
        kind: 'missing_row',
        tenantId,
        seq: entry.seq,
        row: named,
        detail: `the sealed ${entry.kind} row is gone`,
      });
    }
    if (entry.prevHash !== prev) {
      findings.push({
        kind: 'link_mismatch',
        tenantId,
        seq: entry.seq,
        row: named,
        detail: 'does not link to the entry before it',
      });
    } else if (linkHash(entry) !== entry.hash) {
      findings.push({
        kind: 'link_mismatch',
        tenantId,
        seq: entry.seq,
        row: named,
        detail: 'its hash is not the hash of its own fields',
      });
    }
    if (
      previous &&
      compareOrder(
        { txid: entry.txid, kind: entry.kind, id: entry.rowId },
        { txid: previous.txid, kind: previous.kind, id: previous.rowId },
      ) <= 0
    ) {
      findings.push({
        kind: 'reordered',
        tenantId,
        seq: entry.seq,
        row: named,
        detail: `comes after ${previous.kind} ${previous.rowId} but was committed before it`,
      });
    }
    const anchor = anchored[entry.seq - 1];
    if (findings.length === before && anchor !== undefined) {
      // Consistent in the database: the world outside is the judge. Recompute
      // from the row and the anchored predecessor, not from stored hashes.
      const expected = linkHash({
        tenantId,
        seq: entry.seq,
        kind: entry.kind,
        rowId: entry.rowId,
        contentHash,
        prevHash: anchored[entry.seq - 2] ?? GENESIS_HASH,
      });
      if (expected !== anchor) {
        findings.push({
          kind: 'rewritten',
          tenantId,
          seq: entry.seq,
          row: named,
          detail: `differs from checkpointed hash ${anchor}`,
        });
      }
    }
    prev = entry.hash;
    previous = entry;
    expectedSeq = Math.max(expectedSeq, entry.seq) + 1;
  }

  const last = entries.at(-1);
  const size = last?.seq ?? 0;
  if (anchoredSeq > size) {
    findings.push({
      kind: 'truncated',
      tenantId,
      seq: size + 1,
      detail: `the chain ends at ${size}, its checkpoints cover up to ${anchoredSeq}`,
    });
  }

  let unsealed = 0;
  for (const row of input.unchained) {
    const beforeLast =
      last !== undefined &&
      compareOrder(
        { txid: row.txid, kind: row.kind, id: row.id },
        { txid: last.txid, kind: last.kind, id: last.rowId },
      ) < 0;
    if (beforeLast || row.txid < state.sealedBelow) {
      findings.push({
        kind: 'forged_row',
        tenantId,
        row: { kind: row.kind, id: row.id },
        detail: 'committed before rows already sealed, yet not in the chain',
      });
    } else {
      unsealed++;
    }
  }

  findings.sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
  return {
    tenantId,
    ok: findings.length === 0,
    entries: entries.length,
    rowsCompared,
    pruned,
    unsealed,
    checkpoints: expectedNo - 1,
    anchoredSeq,
    unanchored: Math.max(0, size - anchoredSeq),
    findings,
  };
}
