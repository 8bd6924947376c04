import { createDb, loginRolePasswordsFromEnv } from '@auditflow/db';
import { Logger } from '@aws-lambda-powertools/logger';
import { prepareDatabase } from './prepare-database';

const logger = new Logger({ serviceName: 'auditflow-migrator' });

/**
 * Invoked once per deploy: brings the schema to the latest migration, then
 * gives the login roles the passwords the proxy holds for them and writes
 * the legal transitions from the state machines. The only
 * function linked to the master credentials. Throws (failing the deploy)
 * when a migration fails or a password is missing; running it twice is
 * harmless.
 */
export async function handler(): Promise<{ applied: string[] }> {
  // Read first: a deploy without the passwords fails before touching the schema.
  const passwords = loginRolePasswordsFromEnv();
  const db = createDb({
    max: 1,
    statementTimeoutMs: 5 * 60_000,
    applicationName: 'auditflow-migrator',
  });
  try {
    const applied = await prepareDatabase(db, passwords);
    logger.info('migrations applied', { applied });
    return { applied };
  } finally {
    await db.destroy();
  }
}
