import path from 'node:path';
import type { CheckpointStore } from './checkpoint';
import { fileCheckpointStore } from './file-checkpoint-store';
import { s3CheckpointStore } from './s3-checkpoint-store';

/** Seven years, a common retention for payroll records. */
export const DEFAULT_RETENTION_DAYS = 2555;

/**
 * The checkpoint store this environment uses: the S3 bucket named by
 * AUDIT_CHECKPOINT_BUCKET (set by sst.config.ts, with
 * AUDIT_CHECKPOINT_RETENTION_DAYS), else files under
 * AUDIT_CHECKPOINT_DIR, else `<data dir>/checkpoints` of the local stack.
 */
export function checkpointStoreFromEnv(env: NodeJS.ProcessEnv = process.env): CheckpointStore {
  const bucket = env.AUDIT_CHECKPOINT_BUCKET;
  if (bucket) {
    const days = Number(env.AUDIT_CHECKPOINT_RETENTION_DAYS ?? DEFAULT_RETENTION_DAYS);
    if (!Number.isInteger(days) || days < 1) {
      throw new Error('AUDIT_CHECKPOINT_RETENTION_DAYS must be a whole number of days, at least 1');
    }
    return s3CheckpointStore({ bucket, retentionDays: days });
  }
  const dir =
    env.AUDIT_CHECKPOINT_DIR ??
    path.join(
      path.resolve(env.AUDITFLOW_DATA_DIR ?? path.join(process.cwd(), '.data')),
      'checkpoints',
    );
  return fileCheckpointStore(dir);
}
