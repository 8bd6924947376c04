import { CHAIN_ENCODING, GENESIS_HASH, linkHash, sha256Hex } from './encoding';
import type { AuditExport } from './export';

export interface ExportFinding {
  kind:
    | 'content_mismatch'
    | 'link_mismatch'
    | 'not_in_checkpoint'
    | 'unanchored'
    | 'unsealed'
    | 'foreign_row'
    | 'checkpoint_inconsistent';
  rowId?: string;
  detail: string;
}

/**
 * Checks an export offline, as its recipient would, with nothing but the
 * document: every row's content hashes to its entry, every entry hashes to
 * itself from its fields and predecessor, every entry hash is the one its
 * checkpoint lists at its position (with the predecessor listed before it),
 * and every checkpoint ends at its head. What it cannot check is that the
 * checkpoints are the ones in the bucket: compare them under their keys.
 */
export function verifyExport(document: AuditExport): ExportFinding[] {
  const findings: ExportFinding[] = [];
  if (document.encoding !== CHAIN_ENCODING) {
    return [{ kind: 'checkpoint_inconsistent', detail: `unknown encoding ${document.encoding}` }];
  }
  const checkpoints = new Map(document.checkpoints.map((c) => [c.checkpointNo, c]));
  for (const checkpoint of document.checkpoints) {
    if (
      checkpoint.tenantId !== document.tenantId ||
      checkpoint.entryHashes.length !== checkpoint.toSeq - checkpoint.fromSeq + 1 ||
      checkpoint.entryHashes.at(-1) !== checkpoint.headHash ||
      (checkpoint.fromSeq === 1 && checkpoint.prevHash !== GENESIS_HASH)
    ) {
      findings.push({
        kind: 'checkpoint_inconsistent',
        detail: `checkpoint ${checkpoint.checkpointNo} does not hold together`,
      });
    }
  }
  for (const row of document.rows) {
    if (row.content !== null) {
      const fields = JSON.parse(row.content) as unknown[];
      if (fields[1] !== row.id || fields[2] !== document.tenantId) {
        findings.push({
          kind: 'foreign_row',
          rowId: row.id,
          detail: 'content names another row or tenant',
        });
      }
    }
    if (
      row.seq === null ||
      row.hash === null ||
      row.prevHash === null ||
      row.contentHash === null
    ) {
      findings.push({ kind: 'unsealed', rowId: row.id, detail: 'not sealed yet: no proof' });
      continue;
    }
    if (row.content !== null && sha256Hex(row.content) !== row.contentHash) {
      findings.push({
        kind: 'content_mismatch',
        rowId: row.id,
        detail: 'content does not hash to its entry',
      });
    }
    const own = linkHash({
      tenantId: document.tenantId,
      seq: row.seq,
      kind: row.kind,
      rowId: row.id,
      contentHash: row.contentHash,
      prevHash: row.prevHash,
    });
    if (own !== row.hash) {
      findings.push({
        kind: 'link_mismatch',
        rowId: row.id,
        detail: 'entry hash is not the hash of its fields',
      });
    }
    const checkpoint = row.checkpointNo === null ? undefined : checkpoints.get(row.checkpointNo);
    if (!checkpoint) {
      findings.push({ kind: 'unanchored', rowId: row.id, detail: 'no checkpoint covers it yet' });
      continue;
    }
    const at = row.seq - checkpoint.fromSeq;
    const listedPrev = at === 0 ? checkpoint.prevHash : checkpoint.entryHashes[at - 1];
    if (checkpoint.entryHashes[at] !== row.hash || listedPrev !== row.prevHash) {
      findings.push({
        kind: 'not_in_checkpoint',
        rowId: row.id,
        detail: `checkpoint ${checkpoint.checkpointNo} lists another hash at ${row.seq}`,
      });
    }
  }
  return findings;
}
