import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeDb, createDb, databaseUrl, queryOnce } from '@auditflow/db';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '@auditflow/db/embedded';
import { prepareDatabase } from '@auditflow/functions';
import { afterAll, beforeAll } from 'vitest';
import type { TestDatabase } from './database';
import { roleConnections, TEST_ROLE_PASSWORDS, testRoleUrl } from './roles';
import { waitFor } from './wait';

export interface KillableDatabase extends TestDatabase {
  /** The postmaster's pid now (it changes with every start). */
  pid(): number;
  /** SIGKILLs the postmaster, as a crash or an OOM kill would, and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts the server again on the same data directory and port; waits until it accepts connections. */
  restart(): Promise<void>;
  /** Whether the server accepts connections right now. */
  accepting(): Promise<boolean>;
}

const DATABASE = 'outage';

/**
 * A PostgreSQL server of the test file's own, so the test can kill it: an
 * embedded server with a migrated database, whose URL DATABASE_URL names
 * while the file runs (the handlers find it there, as they do in Lambda).
 * The shared test server is never touched.
 */
export function useKillableDatabase(options: { postgresFlags?: string[] } = {}): KillableDatabase {
  let parent = '';
  let port = 0;
  let server: EmbeddedDatabase | undefined;
  let url = '';
  const start = async () => {
    server = await startEmbeddedPostgres({
      dataDir: path.join(parent, 'data'),
      port,
      persistent: true,
      postgresFlags: ['-c', 'fsync=off', ...(options.postgresFlags ?? [])],
    });
    port = server.port;
  };

  beforeAll(async () => {
    // World-traversable parent: Postgres runs as its own OS user when we are root.
    parent = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-outage-'));
    await fs.chmod(parent, 0o755);
    await start();
    if (!server) throw new Error('no server');
    await queryOnce(server.url, `CREATE DATABASE ${DATABASE}`);
    url = databaseUrl(server.url, DATABASE);
    const db = createDb({ target: { connectionString: url }, max: 1 });
    await prepareDatabase(db, TEST_ROLE_PASSWORDS);
    await db.destroy();
    // Every part under its own role, as deployed; the owner only set it up.
    process.env.DATABASE_URL = testRoleUrl(url, 'api');
    process.env.PLATFORM_DATABASE_URL = testRoleUrl(url, 'operator');
  });
  afterAll(async () => {
    await closeDb();
    await connections.destroy();
    await server?.stop();
    await fs.rm(parent, { recursive: true, force: true });
  });

  const connections = roleConnections(() => url);
  const accepting = async () => {
    try {
      await queryOnce(url, 'SELECT 1');
      return true;
    } catch {
      return false;
    }
  };
  return {
    ...connections.parts,
    pid: () => server?.pid ?? 0,
    accepting,
    async kill() {
      if (!server) throw new Error('no server');
      process.kill(server.pid, 'SIGKILL');
      await server.exited;
      await waitFor('the killed server to refuse connections', async () => !(await accepting()));
    },
    async restart() {
      // The killed server's backends notice and exit on their own, but until
      // the last one has, the new postmaster refuses to share their memory.
      for (let attempt = 1; ; attempt++) {
        try {
          await start();
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          await sleep(250 * attempt);
        }
      }
      await waitFor('the restarted server to accept connections', accepting);
    },
  };
}
