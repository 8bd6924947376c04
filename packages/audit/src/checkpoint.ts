/**
 * A checkpoint as it is kept outside the database: one segment of a
 * tenant's chain, `fromSeq`..`toSeq`, with the hash of every entry in it.
 * Checkpoint n+1 starts where n ended, so the checkpoints of a tenant hold
 * the hash of every sealed entry of its chain.
 */
export interface StoredCheckpoint {
  tenantId: string;
  checkpointNo: number;
  encoding: string;
  fromSeq: number;
  toSeq: number;
  /** The hash of entry fromSeq - 1 (the genesis hash for the first segment). */
  prevHash: string;
  /** The hash of entry toSeq: the chain's head when this checkpoint was written. */
  headHash: string;
  entryHashes: string[];
  sealedAt: string;
  /** The outbox event that carried it. */
  eventId: string;
}

/** Two stored versions of one checkpoint that differ: someone wrote over it. */
export interface CheckpointConflict {
  tenantId: string;
  checkpointNo: number;
  detail: string;
}

export interface StoredCheckpoints {
  /** Per key, the first version written (the one a lock protects). */
  checkpoints: StoredCheckpoint[];
  conflicts: CheckpointConflict[];
}

/**
 * Where checkpoints are kept, out of reach of the database's credentials:
 * S3 with Object Lock in AWS, files locally. `put` is idempotent per
 * (tenant, checkpoint number).
 */
export interface CheckpointStore {
  readonly description: string;
  put(checkpoint: StoredCheckpoint): Promise<void>;
  /** Every checkpoint kept, of one tenant or of all. */
  list(tenantId?: string): Promise<StoredCheckpoints>;
  /** Only these checkpoints of the tenant (every version of each), for an export of one entity. */
  read(tenantId: string, checkpointNos: readonly number[]): Promise<StoredCheckpoints>;
}

/** Sorts and collapses versions: the first of each (tenant, number) wins, a differing one is a conflict. */
export function collapseVersions(versions: StoredCheckpoint[]): StoredCheckpoints {
  const first = new Map<string, StoredCheckpoint>();
  const conflicts: CheckpointConflict[] = [];
  for (const version of versions) {
    const key = `${version.tenantId}\u0000${version.checkpointNo}`;
    const kept = first.get(key);
    if (!kept) first.set(key, version);
    else if (canonicalJson(kept) !== canonicalJson(version)) {
      conflicts.push({
        tenantId: version.tenantId,
        checkpointNo: version.checkpointNo,
        detail: 'a later version of this checkpoint differs from the first one written',
      });
    }
  }
  const checkpoints = [...first.values()].sort((a, b) =>
    a.tenantId === b.tenantId ? a.checkpointNo - b.checkpointNo : a.tenantId < b.tenantId ? -1 : 1,
  );
  return { checkpoints, conflicts };
}

/** The key a checkpoint is stored under: sortable, one per checkpoint, never overwritten. */
export function checkpointKey(tenantId: string, checkpointNo: number): string {
  return `checkpoints/${encodeURIComponent(tenantId)}/${String(checkpointNo).padStart(12, '0')}.json`;
}

/** The stored form: fixed field order, so equal checkpoints are equal bytes. */
export function canonicalJson(checkpoint: StoredCheckpoint): string {
  return JSON.stringify({
    tenantId: checkpoint.tenantId,
    checkpointNo: checkpoint.checkpointNo,
    encoding: checkpoint.encoding,
    fromSeq: checkpoint.fromSeq,
    toSeq: checkpoint.toSeq,
    prevHash: checkpoint.prevHash,
    headHash: checkpoint.headHash,
    entryHashes: checkpoint.entryHashes,
    sealedAt: checkpoint.sealedAt,
    eventId: checkpoint.eventId,
  });
}
