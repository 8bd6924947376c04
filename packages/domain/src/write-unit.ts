import { eventCatalogue } from '@auditflow/events';
import { type AfterCommit, defineWriteUnit } from '@auditflow/outbox';

const afterCommitEffects: AfterCommit[] = [];

/** The write unit every command of this domain goes through, bound to the event catalogue. */
export const writeUnit = defineWriteUnit(eventCatalogue, { afterCommit: afterCommitEffects });

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
