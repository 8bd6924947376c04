import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb, databaseUrl } from '@auditflow/db';
import { startEmbeddedPostgres } from '@auditflow/db/embedded';
import { prepareDatabase } from '@auditflow/functions';
import type { TestProject } from 'vitest/node';
import { TEST_ROLE_PASSWORDS } from './roles';
import { onServer, TEMPLATE_DATABASE } from './server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test server's `postgres` database. */
    serverUrl: string;
  }
}

/**
 * One real PostgreSQL server for the whole run (embedded, or the one
 * TEST_DATABASE_URL names), and a migrated template database that each test
 * file clones.
 */
export default async function setup(project: TestProject) {
  let serverUrl = process.env.TEST_DATABASE_URL;
  let stop = async () => {};
  if (!serverUrl) {
    // World-traversable parent: Postgres runs as its own OS user when we are root.
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-test-'));
    await fs.chmod(parent, 0o755);
    const server = await startEmbeddedPostgres({
      dataDir: path.join(parent, 'data'),
      postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off'],
    });
    serverUrl = server.url;
    stop = async () => {
      await server.stop();
      await fs.rm(parent, { recursive: true, force: true });
    };
  }
  await onServer(serverUrl, `DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
  await onServer(serverUrl, `CREATE DATABASE ${TEMPLATE_DATABASE}`);
  const template = createDb({
    target: { connectionString: databaseUrl(serverUrl, TEMPLATE_DATABASE) },
    max: 1,
  });
  // As the Migrator does: migrate, set the login roles' passwords, write the legal transitions.
  await prepareDatabase(template, TEST_ROLE_PASSWORDS);
  await template.destroy();
  project.provide('serverUrl', serverUrl);
  return stop;
}
