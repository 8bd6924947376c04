import {
  canonicalJson,
  checkpointKey,
  exportEntity,
  type StoredCheckpoint,
  s3CheckpointStore,
  verifyExport,
} from '@auditflow/audit';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealAndStore, useCheckpointStore, writeHistory } from '../support/audit-chain';
import { useTestDatabase } from '../support/database';
import { startFakeS3 } from '../support/fake-s3';

const database = useTestDatabase();
const files = useCheckpointStore();
const BUCKET = 'audit-checkpoints';
let s3: Awaited<ReturnType<typeof startFakeS3>>;
let client: S3Client;

beforeAll(async () => {
  // Two versions a page, so every listing below is paged.
  s3 = await startFakeS3({ bucket: BUCKET, pageSize: 2 });
  client = new S3Client({
    endpoint: s3.url,
    forcePathStyle: true,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  client.destroy();
  await s3.close();
});

const store = () => s3CheckpointStore({ bucket: BUCKET, retentionDays: 7, client });

function checkpoint(tenantId: string, checkpointNo: number): StoredCheckpoint {
  return {
    tenantId,
    checkpointNo,
    encoding: 'auditflow.chain.v1',
    fromSeq: checkpointNo * 10 - 9,
    toSeq: checkpointNo * 10,
    prevHash: 'a'.repeat(64),
    headHash: 'b'.repeat(64),
    entryHashes: ['c'.repeat(64)],
    sealedAt: '2026-12-03T10:00:00.000Z',
    eventId: `0190f2a4-0000-7000-8000-00000000000${checkpointNo}`,
  };
}

describe('checkpoints in a versioned S3 bucket', () => {
  it('writes each checkpoint once, locked in COMPLIANCE mode; a redelivery adds no version', async () => {
    await store().put(checkpoint('lock', 1));
    await store().put(checkpoint('lock', 1));
    const written = s3.versions.filter((v) => v.key === checkpointKey('lock', 1));
    expect(written).toHaveLength(1);
    expect(written[0]?.lockMode).toBe('COMPLIANCE');
    const days = (Date.parse(written[0]?.retainUntil ?? '') - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    expect(JSON.parse(written[0]?.body ?? 'null')).toEqual(checkpoint('lock', 1));
  });

  it("lists a tenant's checkpoints across pages, and reads only the ones asked for", async () => {
    for (const no of [1, 2, 3, 10]) await store().put(checkpoint('pages', no));
    await store().put(checkpoint('pages-other', 1));
    s3.requests.length = 0;
    const listed = await store().list('pages');
    // Four versions, two a page: the listing follows the markers.
    expect(s3.requests.filter((r) => r.includes('versions'))).toEqual([
      expect.not.stringContaining('key-marker'),
      expect.stringContaining('key-marker='),
    ]);
    expect(listed.checkpoints.map((c) => c.checkpointNo)).toEqual([1, 2, 3, 10]);
    expect(listed.conflicts).toEqual([]);

    s3.requests.length = 0;
    const read = await store().read('pages', [1, 3]);
    expect(read.checkpoints).toEqual([checkpoint('pages', 1), checkpoint('pages', 3)]);
    // Each asked key listed and read by itself: checkpoint 10 is not taken for 1.
    expect(s3.requests.filter((r) => r.startsWith('GET checkpoints/'))).toEqual([
      expect.stringMatching(/^GET checkpoints\/pages\/000000000001\.json\?versionId=/),
      expect.stringMatching(/^GET checkpoints\/pages\/000000000003\.json\?versionId=/),
    ]);
    expect(await store().read('pages', [])).toEqual({ checkpoints: [], conflicts: [] });
  });

  it('keeps the first version of a checkpoint written over, and reports the later one as a conflict', async () => {
    await store().put(checkpoint('over', 1));
    const forged = { ...checkpoint('over', 1), headHash: 'f'.repeat(64) };
    // What a holder of write access can still do to a locked key: add a version on top.
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: checkpointKey('over', 1),
        Body: canonicalJson(forged),
      }),
    );
    for (const answer of [await store().list('over'), await store().read('over', [1])]) {
      expect(answer.checkpoints).toEqual([checkpoint('over', 1)]);
      expect(answer.conflicts).toEqual([
        expect.objectContaining({ tenantId: 'over', checkpointNo: 1 }),
      ]);
    }
  });

  it("proves an entity's export from the bucket, reading only its checkpoint", async () => {
    const tenant = 's3-export';
    const [run] = await writeHistory(tenant, 1);
    await sealAndStore(database, tenant);
    await writeHistory(tenant, 1);
    await sealAndStore(database, tenant);
    // The checkpoints the subscriber stored locally, put in the bucket as it would in AWS.
    for (const stored of (await files().list(tenant)).checkpoints) {
      await store().put(stored);
    }
    s3.requests.length = 0;
    const document = await exportEntity(database.operatorDb(), store(), {
      tenantId: tenant,
      entityId: run as string,
    });
    expect(document.checkpoints.map((c) => c.checkpointNo)).toEqual([1]);
    expect(verifyExport(document)).toEqual([]);
    expect(s3.requests.filter((r) => r.startsWith('GET checkpoints/'))).toHaveLength(1);
  });
});
