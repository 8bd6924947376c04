import { eventCatalogue } from '@auditflow/events';
import { defineWriteUnit } from '@auditflow/write-unit';

/** The write unit every command of this domain goes through, bound to the event catalogue. */
export const writeUnit = defineWriteUnit(eventCatalogue);
