import { z } from 'zod';

const hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256');
const position = z.number().int().nonnegative();

/**
 * Audit chain events, by versioned type. Written by the database's sealing
 * function (migration 0015), never by the write unit: a checkpoint records no
 * change of business state. A published version is never changed: add v2.
 */
export const auditEvents = {
  /**
   * One segment of a tenant's hash chain, fromSeq..toSeq, with every entry's
   * hash, so the copy kept outside the database can name any entry that
   * changed (docs/audit-verification.md).
   */
  'audit.checkpoint.v1': z.strictObject({
    encoding: z.literal('auditflow.chain.v1'),
    checkpointNo: z.number().int().positive(),
    fromSeq: position,
    toSeq: position,
    prevHash: hash,
    headHash: hash,
    entryHashes: z.array(hash).min(1),
    sealedAt: z.string().min(1),
  }),
} as const;
