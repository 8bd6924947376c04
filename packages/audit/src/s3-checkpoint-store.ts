import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  type ObjectVersion,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  type CheckpointStore,
  canonicalJson,
  checkpointKey,
  collapseVersions,
  type StoredCheckpoint,
} from './checkpoint';

type KeyVersion = ObjectVersion & { Key: string; VersionId: string };

/** Requests to the bucket in flight at once, when reading many checkpoints. */
const READ_CONCURRENCY = 8;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A listed version is of one of the asked keys (a key's prefix could match a longer key). */
function keyOf(version: KeyVersion, tenantId: string, checkpointNos: readonly number[]): boolean {
  return checkpointNos.some((no) => version.Key === checkpointKey(tenantId, no));
}

export interface S3CheckpointStoreOptions {
  bucket: string;
  /** How long each checkpoint is locked (compliance mode: nobody can shorten it). */
  retentionDays: number;
  client?: S3Client;
}

/**
 * Checkpoints in an S3 bucket with Object Lock: each one a key of its own,
 * written once (If-None-Match), locked in COMPLIANCE mode until its retain
 * date. A lock protects a version, not a key: anyone with write access can
 * still add versions and delete markers on top, so reading lists every
 * version, ignores delete markers, keeps the first version of each key and
 * reports any later one that differs.
 */
export function s3CheckpointStore(options: S3CheckpointStoreOptions): CheckpointStore {
  const client = options.client ?? new S3Client({});

  /** Every version of every key under `prefix` (delete markers are not versions). */
  async function listVersions(prefix: string): Promise<KeyVersion[]> {
    const versions: KeyVersion[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await client.send(
        new ListObjectVersionsCommand({
          Bucket: options.bucket,
          Prefix: prefix,
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
        }),
      );
      for (const version of page.Versions ?? []) {
        if (version.Key && version.VersionId) versions.push(version as KeyVersion);
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    return versions;
  }

  /** The versions' contents, oldest first, so the version the lock protects is the one kept. */
  async function readVersions(versions: KeyVersion[]): Promise<StoredCheckpoint[]> {
    const ordered = [...versions].sort(
      (a, b) => (a.LastModified?.getTime() ?? 0) - (b.LastModified?.getTime() ?? 0),
    );
    const read: StoredCheckpoint[] = [];
    for (const batch of chunks(ordered, READ_CONCURRENCY)) {
      const bodies = await Promise.all(
        batch.map(async (version) => {
          const object = await client.send(
            new GetObjectCommand({
              Bucket: options.bucket,
              Key: version.Key,
              VersionId: version.VersionId,
            }),
          );
          return JSON.parse((await object.Body?.transformToString('utf8')) ?? 'null');
        }),
      );
      read.push(...bodies);
    }
    return read;
  }

  return {
    description: `s3://${options.bucket}`,
    async put(checkpoint) {
      const retainUntil = new Date(Date.now() + options.retentionDays * 86_400_000);
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: checkpointKey(checkpoint.tenantId, checkpoint.checkpointNo),
            Body: canonicalJson(checkpoint),
            ContentType: 'application/json',
            IfNoneMatch: '*',
            ObjectLockMode: 'COMPLIANCE',
            ObjectLockRetainUntilDate: retainUntil,
            // Object Lock requires an integrity checksum on every locked PUT.
            ChecksumAlgorithm: 'SHA256',
          }),
        );
      } catch (error) {
        // Already written by an earlier delivery: the first version stands.
        if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) return;
        throw error;
      }
    },
    async list(tenantId) {
      const prefix =
        tenantId === undefined ? 'checkpoints/' : `checkpoints/${encodeURIComponent(tenantId)}/`;
      return collapseVersions(await readVersions(await listVersions(prefix)));
    },
    async read(tenantId, checkpointNos) {
      // One key each: its own listing finds every version written over it.
      const versions: KeyVersion[] = [];
      for (const batch of chunks(checkpointNos, READ_CONCURRENCY)) {
        const listed = await Promise.all(
          batch.map((no) => listVersions(checkpointKey(tenantId, no))),
        );
        versions.push(
          ...listed.flat().filter((version) => keyOf(version, tenantId, checkpointNos)),
        );
      }
      return collapseVersions(await readVersions(versions));
    },
  };
}
