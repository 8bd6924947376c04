import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createDb,
  databaseUrl,
  type LoginRole,
  type LoginRolePasswords,
  queryOnce,
  roleUrl,
} from '@auditflow/db';
import { startEmbeddedPostgres } from '@auditflow/db/embedded';
import { prepareDatabase } from '@auditflow/functions';
import type pg from 'pg';
import type { BenchContext } from './harness';
import { processTreeCpuMs } from './process-cpu';

export interface BenchServer {
  url: string;
  /** What the login roles' passwords are (set on each benchmark database). */
  rolePasswords: LoginRolePasswords;
  version: string;
  /**
   * CPU milliseconds the server's processes have used so far, when the
   * server is the benchmark's own embedded one; undefined for a given server.
   */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

export interface BenchDatabase {
  /** The owner's URL: for seeding and inspecting, never for the parts under measure. */
  url: string;
  /** The URL of a login role: each part runs under its own, as deployed. */
  roleUrl(role: LoginRole): string;
  /** Runs one statement on a connection of its own. */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

/**
 * The server a benchmark runs on: the one named by `context.serverUrl` or
 * BENCH_DATABASE_URL (its user needs CREATEDB), else an embedded PostgreSQL
 * of its own with default settings (durable commits), stopped by `stop`.
 */
export async function startBenchServer(context: BenchContext): Promise<BenchServer> {
  const given = context.serverUrl ?? process.env.BENCH_DATABASE_URL;
  const rolePasswords = context.rolePasswords ?? BENCH_ROLE_PASSWORDS;
  if (given) {
    return {
      url: given,
      rolePasswords,
      version: await serverVersion(given),
      cpuMs: () => undefined,
      stop: async () => {},
    };
  }
  // World-traversable parent: Postgres runs as its own OS user when we are root.
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-bench-'));
  await fs.chmod(parent, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(parent, 'data'),
    postgresFlags: ['-c', 'max_connections=200'],
  });
  return {
    url: server.url,
    rolePasswords,
    version: await serverVersion(server.url),
    cpuMs: () => processTreeCpuMs(server.pid),
    stop: async () => {
      await server.stop();
      await fs.rm(parent, { recursive: true, force: true });
    },
  };
}

/** A fresh, migrated database on `server`, dropped by `drop`. */
export async function createBenchDatabase(
  server: BenchServer,
  label: string,
): Promise<BenchDatabase> {
  const name = `bench_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  await onServer(server.url, `CREATE DATABASE ${name}`);
  const url = databaseUrl(server.url, name);
  const db = createDb({ target: { connectionString: url }, max: 1 });
  try {
    await prepareDatabase(db, server.rolePasswords);
  } finally {
    await db.destroy();
  }
  return {
    url,
    roleUrl: (role) => roleUrl(url, role, server.rolePasswords[role]),
    sql: (text, values) => queryOnce(url, text, values),
    drop: () => onServer(server.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** The login roles' passwords on a benchmark's own server. */
const BENCH_ROLE_PASSWORDS: LoginRolePasswords = {
  api: 'bench-password-api-0000',
  relay: 'bench-password-relay-0000',
  operator: 'bench-password-operator-0000',
};

async function onServer(serverUrl: string, statement: string): Promise<void> {
  await queryOnce(serverUrl, statement);
}

/** `PostgreSQL <version>` of the server at `url`, for the results' config. */
export async function serverVersion(url: string): Promise<string> {
  const { rows } = await queryOnce<{ v: string }>(
    url,
    `SELECT current_setting('server_version') AS v`,
  );
  return `PostgreSQL ${rows[0]?.v ?? '?'}`;
}
