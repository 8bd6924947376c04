import { localDataDir } from '../data-dir';
import { startLocalStack } from '../stack';

/**
 * `npm start`: the whole stack on this machine (see startLocalStack).
 * DATABASE_URL points it at another Postgres; PORT, LOCAL_DB_PORT and
 * LOCAL_EVENTBRIDGE_PORT move its ports. Ctrl+C stops everything.
 */
async function main(): Promise<void> {
  let stop: (code: number) => Promise<void> = async (code) => process.exit(code);
  const stack = await startLocalStack({
    dataDir: localDataDir(),
    root: process.cwd(),
    apiPort: Number(process.env.PORT ?? 3000),
    databasePort: Number(process.env.LOCAL_DB_PORT ?? 54329),
    eventBridgePort: Number(process.env.LOCAL_EVENTBRIDGE_PORT ?? 4010),
    databaseUrl: process.env.DATABASE_URL,
    // The embedded Postgres could not be brought back: say why and stop.
    onFatal: (error) => {
      console.error(error.message);
      void stop(1);
    },
  });
  const migrated = stack.migrated.length ? ` (migrated: ${stack.migrated.join(', ')})` : '';
  console.log(`Database:    ${stack.database}${migrated}`);
  console.log(
    `EventBridge: ${stack.eventBridgeUrl} (local PutEvents endpoint; the relay publishes here)`,
  );
  console.log(`API:         ${stack.apiUrl}`);
  console.log(`Console:     ${stack.consoleUrl} (mint a local operator token on the page)`);
  console.log('Get a token: npm run token -- --tenant acme --sub alice');

  let stopping = false;
  stop = async (code) => {
    // A second Ctrl+C while a shutdown hangs ends the process at once.
    if (stopping) process.exit(130);
    stopping = true;
    await stack.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
