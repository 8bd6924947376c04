import fs from 'node:fs/promises';
import path from 'node:path';
import {
  type CheckpointStore,
  canonicalJson,
  collapseVersions,
  type StoredCheckpoint,
} from './checkpoint';

/**
 * The local stand-in for the S3 bucket: one append-only JSON Lines file per
 * tenant, `<dir>/<tenant>.jsonl`. A checkpoint already in the file is not
 * appended again, so redeliveries change nothing.
 */
export function fileCheckpointStore(dir: string): CheckpointStore {
  // Appends of one tenant are queued, so two deliveries never interleave lines.
  const queues = new Map<string, Promise<void>>();
  const fileOf = (tenantId: string) => path.join(dir, `${encodeURIComponent(tenantId)}.jsonl`);
  const readFile = async (file: string): Promise<StoredCheckpoint[]> => {
    const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as StoredCheckpoint);
  };
  return {
    description: `files under ${dir}`,
    async put(checkpoint) {
      const file = fileOf(checkpoint.tenantId);
      const previous = queues.get(file) ?? Promise.resolve();
      const next = previous.then(async () => {
        await fs.mkdir(dir, { recursive: true });
        const kept = await readFile(file);
        if (kept.some((line) => line.checkpointNo === checkpoint.checkpointNo)) return;
        await fs.appendFile(file, `${canonicalJson(checkpoint)}\n`, { mode: 0o644 });
      });
      queues.set(
        file,
        next.catch(() => {}),
      );
      await next;
    },
    async list(tenantId) {
      const files =
        tenantId === undefined
          ? (await fs.readdir(dir).catch(() => [] as string[]))
              .filter((name) => name.endsWith('.jsonl'))
              .map((name) => path.join(dir, name))
          : [fileOf(tenantId)];
      const versions: StoredCheckpoint[] = [];
      for (const file of files) versions.push(...(await readFile(file)));
      return collapseVersions(versions);
    },
    async read(tenantId, checkpointNos) {
      const wanted = new Set(checkpointNos);
      const versions = await readFile(fileOf(tenantId));
      return collapseVersions(versions.filter((version) => wanted.has(version.checkpointNo)));
    },
  };
}
