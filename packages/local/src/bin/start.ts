import fs from 'node:fs/promises';
import path from 'node:path';
import {
  closeDb,
  createDb,
  describeTarget,
  migrateToLatest,
  resolveConnectionTarget,
} from '@auditflow/db';
import { startEmbeddedPostgres } from '@auditflow/db/embedded';
import { routes } from '../../../../functions/api/routes';
import { localDataDir } from '../data-dir';
import { createVerifier, loadOrCreateKey } from '../dev-jwt';
import { startGateway } from '../gateway';

/**
 * `npm start`: the whole stack on this machine. Embedded Postgres (data kept
 * in .data/postgres) unless DATABASE_URL names another server, migrations,
 * then the API behind a local API Gateway on PORT (default 3000).
 */
async function main(): Promise<void> {
  const root = process.cwd();
  const dataDir = localDataDir();
  await fs.mkdir(dataDir, { recursive: true, mode: 0o755 });
  await fs.chmod(dataDir, 0o755);

  let stopDatabase = async () => {};
  if (!process.env.DATABASE_URL) {
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'postgres'),
      port: Number(process.env.LOCAL_DB_PORT ?? 54329),
      persistent: true,
    });
    process.env.DATABASE_URL = embedded.url;
    stopDatabase = embedded.stop;
  }
  const target = resolveConnectionTarget();
  const migrator = createDb({ target, max: 1 });
  const applied = await migrateToLatest(migrator);
  await migrator.destroy();

  const verify = createVerifier(await loadOrCreateKey(dataDir));
  const gateway = await startGateway({
    routes,
    verify,
    root,
    port: Number(process.env.PORT ?? 3000),
  });

  console.log(
    `Database: ${describeTarget(target)}${applied.length ? ` (migrated: ${applied.join(', ')})` : ''}`,
  );
  console.log(`API:      ${gateway.url}`);
  console.log('Get a token: npm run token -- --tenant acme --sub alice');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await gateway.close();
    await closeDb();
    await stopDatabase();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
