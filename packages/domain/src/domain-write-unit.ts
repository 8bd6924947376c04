import { eventCatalogue } from '@auditflow/events';
import { type AfterCommit, defineWriteUnit } from '@auditflow/write-unit';
import { Logger } from '@aws-lambda-powertools/logger';

const afterCommitEffects: AfterCommit[] = [];
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'auditflow' });

/** The write unit every command of this domain goes through, bound to the event catalogue. */
export const writeUnit = defineWriteUnit(eventCatalogue, {
  afterCommit: afterCommitEffects,
  // The write is committed either way; an effect's failure is reported, not raised.
  onAfterCommitError: (error) =>
    logger.warn('after-commit effect failed', error instanceof Error ? error : String(error)),
});

/**
 * Registers an effect to run after each committed write (e.g. nudging the
 * relay). Returns a function that removes it.
 */
export function onCommitted(effect: AfterCommit): () => void {
  afterCommitEffects.push(effect);
  return () => {
    const index = afterCommitEffects.indexOf(effect);
    if (index >= 0) afterCommitEffects.splice(index, 1);
  };
}
