import { sealAuditChain } from '@auditflow/audit';
import { type DB, isDatabaseUnavailable } from '@auditflow/db';
import { prunePublished } from '@auditflow/relay';
import { pruneInbox } from '@auditflow/subscriber';
import { pruneIdempotencyKeys } from '@auditflow/write-unit';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Kysely } from 'kysely';

/** At most this many rows of each kind per round, so a backlog is worked off in bounded steps. */
const PRUNE_LIMIT = 10_000;

/**
 * The relay's housekeeping on each round, the Lambda each invocation and the
 * local loop each minute. First it seals the audit chain (so the checkpoint
 * events it writes leave in the drain that follows, and what it sealed may
 * be pruned); then it forgets published events past RELAY_RETENTION_HOURS
 * (only once sealed),
 * idempotency keys past IDEMPOTENCY_RETENTION_HOURS, and subscribers'
 * receipts past the inbox retention the database holds. Retention must never
 * stand in the way of delivery: a failed prune is reported and the next
 * round tries again; with the database away it stops, the drain reports it.
 */
export async function pruneRound(
  db: Kysely<DB>,
  config: { retentionMs: number; idempotencyRetentionMs: number },
  logger: Logger,
): Promise<void> {
  const prunes = [
    [
      'published events',
      () => prunePublished(db, { olderThanMs: config.retentionMs, limit: PRUNE_LIMIT }),
    ],
    [
      'idempotency keys',
      () =>
        pruneIdempotencyKeys(db, {
          olderThanMs: config.idempotencyRetentionMs,
          limit: PRUNE_LIMIT,
        }),
    ],
    ['inbox receipts', () => pruneInbox(db, { limit: PRUNE_LIMIT })],
  ] as const;
  try {
    const sealed = await sealAuditChain(db);
    if (sealed > 0) logger.info('sealed audit chain rows', { sealed });
  } catch (error) {
    if (isDatabaseUnavailable(error)) return;
    logger.warn('sealing the audit chain failed; will try again next round', {
      error: String(error),
    });
  }
  for (const [what, prune] of prunes) {
    try {
      const pruned = await prune();
      if (pruned > 0) logger.info(`pruned ${what}`, { pruned });
    } catch (error) {
      if (isDatabaseUnavailable(error)) break;
      logger.warn(`pruning ${what} failed; will try again next round`, { error: String(error) });
    }
  }
}
