import fs from 'node:fs/promises';
import path from 'node:path';
import { closeDb, createDb, describeTarget, type LoginRolePasswords, roleUrl } from '@auditflow/db';
import { prepareDatabase, routes, subscriptions } from '@auditflow/functions';
import { Logger } from '@aws-lambda-powertools/logger';
import { CONSOLE_PATH, consoleServer } from './console-server';
import { createVerifier, loadOrCreateKey, signDevToken } from './dev-jwt';
import { createDelivery } from './eventbridge/delivery';
import { startEventBridgeEndpoint } from './eventbridge/endpoint';
import { startGateway } from './gateway';
import { superviseEmbeddedPostgres } from './postgres-supervisor';
import { startRelayLoop } from './relay-loop';
import { loadOrCreateRolePasswords } from './role-passwords';

export interface LocalStackOptions {
  /** Where the embedded database, the signing key and the stack file live. */
  dataDir: string;
  /** Repository root: handler paths resolve against it. */
  root: string;
  apiPort: number;
  databasePort: number;
  eventBridgePort: number;
  /** Another Postgres to use instead of the embedded one. */
  databaseUrl?: string | undefined;
  /** The login roles' passwords; by default kept in the data directory. */
  rolePasswords?: LoginRolePasswords;
  busName?: string;
  /** What the stack has to say while it runs (the embedded server died, is back). */
  log?: (message: string) => void;
  /** Called when the embedded server cannot be kept running; the stack cannot go on. */
  onFatal?: (error: Error) => void;
}

/** What `npm start` runs; `npm run outbox` finds the database through the stack file. */
export const stackFile = (dataDir: string) => path.join(dataDir, 'local-stack.json');

/**
 * The whole stack on this machine: Postgres (embedded unless a URL is given),
 * migrations, a local EventBridge endpoint, the relay, and the API behind a
 * local API Gateway, all calling the code that deploys.
 */
export async function startLocalStack(options: LocalStackOptions) {
  await fs.mkdir(options.dataDir, { recursive: true, mode: 0o755 });
  await fs.chmod(options.dataDir, 0o755);
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    // Last started, first stopped; each step once, even if stop is called again.
    const steps = stops.splice(0).reverse();
    for (const step of steps) await step().catch(() => {});
  };
  try {
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const log = options.log ?? ((message: string) => console.log(message));
      const embedded = await superviseEmbeddedPostgres({
        dataDir: path.join(options.dataDir, 'postgres'),
        port: options.databasePort,
        log,
        onGiveUp: options.onFatal ?? ((error) => log(error.message)),
      }).catch((error: Error) => {
        throw new Error(`${error.message} (LOCAL_DB_PORT sets the database port)`);
      });
      stops.push(embedded.stop);
      databaseUrl = embedded.url;
    }
    // The owner migrates and sets the login roles' passwords, then lets go:
    // every other part connects under its own role, as deployed.
    const passwords = options.rolePasswords ?? (await loadOrCreateRolePasswords(options.dataDir));
    const owner = createDb({ target: { connectionString: databaseUrl }, max: 1 });
    const applied = await prepareDatabase(owner, passwords).finally(() => owner.destroy());
    const urls = {
      api: roleUrl(databaseUrl, 'api', passwords.api),
      relay: roleUrl(databaseUrl, 'relay', passwords.relay),
      operator: roleUrl(databaseUrl, 'operator', passwords.operator),
    };
    // The handlers and subscribers find the database the way they do in Lambda: from the environment.
    process.env.DATABASE_URL = urls.api;
    // Operator reads across every tenant (the platform scope) connect as the operator's role.
    process.env.PLATFORM_DATABASE_URL = urls.operator;
    // The checkpoint subscriber's store: files in the stack's data directory
    // (the bucket's stand-in), unless configured otherwise.
    process.env.AUDIT_CHECKPOINT_DIR ??= path.join(options.dataDir, 'checkpoints');
    stops.push(closeDb);
    const apiDb = createDb({
      target: { connectionString: urls.api },
      applicationName: 'auditflow-local-delivery',
    });
    stops.push(() => apiDb.destroy());
    const relayDb = createDb({
      target: { connectionString: urls.relay },
      applicationName: 'auditflow-local-relay',
    });
    stops.push(() => relayDb.destroy());

    const eventBridge = await startEventBridgeEndpoint({ port: options.eventBridgePort }).catch(
      (error: Error) => {
        throw new Error(`${error.message} (LOCAL_EVENTBRIDGE_PORT sets the EventBridge port)`);
      },
    );
    stops.push(eventBridge.close);
    // Subscribers get what the bus accepted, as their EventBridge rules would deliver it.
    const logger = new Logger({ serviceName: 'auditflow-local-eventbridge' });
    const delivery = createDelivery({
      subscriptions,
      root: options.root,
      db: apiDb,
      onError: (message, attributes) => logger.error(message, attributes),
    });
    const stopDelivering = eventBridge.onAccepted((events) => delivery.deliver(events));
    stops.push(async () => {
      stopDelivering();
      delivery.close();
      await delivery.idle();
    });
    const relay = await startRelayLoop({
      db: relayDb,
      databaseUrl: urls.relay,
      eventBridgeUrl: eventBridge.url,
      busName: options.busName ?? 'auditflow-local',
    });
    stops.push(relay.stop);

    const key = await loadOrCreateKey(options.dataDir);
    const gateway = await startGateway({
      routes,
      verify: createVerifier(key),
      root: options.root,
      port: options.apiPort,
      // The console beside the API, on the same origin, so it needs no CORS.
      serveOther: consoleServer({ mintToken: (claims) => signDevToken(key, claims) }),
    }).catch((error: Error) => {
      throw new Error(`${error.message} (PORT sets the API port)`);
    });
    stops.push(gateway.close);

    const description = {
      apiUrl: gateway.url,
      consoleUrl: `${gateway.url}${CONSOLE_PATH}`,
      // What `npm run outbox` connects with: the operator's role, not the owner.
      databaseUrl: urls.operator,
      // What a local redrive (`subscriber-dlq redrive`) hands the subscriber it delivers to.
      subscriberDatabaseUrl: urls.api,
      eventBridgeUrl: eventBridge.url,
      database: describeTarget({ connectionString: databaseUrl }),
      migrated: applied,
    };
    // It holds a password: readable by its owner alone, whatever the umask.
    const file = stackFile(options.dataDir);
    await fs.rm(file, { force: true });
    await fs.writeFile(file, JSON.stringify(description, null, 2), { mode: 0o600 });
    stops.push(() => fs.rm(stackFile(options.dataDir), { force: true }));
    return { ...description, eventBridge, delivery, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
