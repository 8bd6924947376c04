import { createDb, migrateToLatest } from '@auditflow/db';
import { Logger } from '@aws-lambda-powertools/logger';

const logger = new Logger({ serviceName: 'auditflow-migrator' });

/**
 * Invoked once per deploy: brings the schema to the latest migration. Throws
 * (failing the deploy) when a migration fails; running it twice is harmless.
 */
export async function handler(): Promise<{ applied: string[] }> {
  const db = createDb({
    max: 1,
    statementTimeoutMs: 5 * 60_000,
    applicationName: 'auditflow-migrator',
  });
  try {
    const applied = await migrateToLatest(db);
    logger.info('migrations applied', { applied });
    return { applied };
  } finally {
    await db.destroy();
  }
}
