import type { DB } from '@auditflow/db';
import { MONEY_MOVING_EVENT_TYPES } from '@auditflow/events';
import { syncLedgerRules } from '@auditflow/ledger';
import type { Kysely } from 'kysely';
import { DEFAULT_LEDGER_LIMITS } from './limits';

/**
 * Writes the catalogue's money-moving event types and the default limits
 * into the database, which enforces both: run as the owner after migrating,
 * with the legal transitions. Idempotent.
 */
export const syncBookkeeping = (db: Kysely<DB>): Promise<void> =>
  syncLedgerRules(db, {
    moneyEvents: MONEY_MOVING_EVENT_TYPES,
    defaultLimits: DEFAULT_LEDGER_LIMITS,
  });
