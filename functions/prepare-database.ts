import {
  configureInboxRetention,
  configureLoginRoles,
  type DB,
  inboxRetentionDaysFromEnv,
  type LoginRolePasswords,
  migrateToLatest,
} from '@auditflow/db';
import { syncBookkeeping, syncLegalTransitions } from '@auditflow/domain';
import type { Kysely } from 'kysely';

/**
 * What a database needs before any part may connect to it, run as its owner:
 * the schema at the latest migration, the login roles' passwords, and the
 * legal transitions written from the state machines this release runs (until
 * then the database refuses every write), and the money-moving event types
 * and default limits the ledger enforces (until then it refuses every
 * journal entry). The Migrator, the local stack, the
 * tests and the benchmarks all prepare a database with this and nothing else.
 * Idempotent. Returns the migrations it applied.
 */
export async function prepareDatabase(
  owner: Kysely<DB>,
  passwords: LoginRolePasswords,
  settings: { inboxRetentionDays?: number } = {},
): Promise<string[]> {
  // Read first: a bad setting fails before anything changes.
  const inboxRetentionDays = settings.inboxRetentionDays ?? inboxRetentionDaysFromEnv();
  const applied = await migrateToLatest(owner);
  await configureLoginRoles(owner, passwords);
  await configureInboxRetention(owner, inboxRetentionDays);
  await syncLegalTransitions(owner);
  await syncBookkeeping(owner);
  return applied;
}
