import { eventCatalogue, MONEY_MOVING_EVENT_TYPES } from '@auditflow/events';
import { defineWriteUnit } from '@auditflow/write-unit';

/**
 * The write unit every command of this domain goes through, bound to the
 * event catalogue: a command whose event moves money books its journal entry.
 */
export const writeUnit = defineWriteUnit(eventCatalogue, { moneyMoving: MONEY_MOVING_EVENT_TYPES });
