import { randomBytes } from 'node:crypto';
import { closeDb, type DB, databaseUrl, getDb, queryOnce } from '@auditflow/db';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { expectBalancedLedger } from './ledger';
import { onServer, TEMPLATE_DATABASE } from './server';

export interface TestDatabase {
  /** The database the handlers use (through DATABASE_URL). */
  db(): Kysely<DB>;
  url(): string;
  /** Runs raw SQL as a superuser, e.g. to plant a fault or to try to cheat. */
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

/**
 * Gives the test file a fresh migrated database of its own (a clone of the
 * template) and points DATABASE_URL at it. After every test it checks the
 * invariant: per tenant, as many transitions as audit rows as outbox rows.
 */
export function useTestDatabase(): TestDatabase {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const serverUrl = inject('serverUrl');
  const url = databaseUrl(serverUrl, name);
  beforeAll(async () => {
    await onServer(serverUrl, `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
    process.env.DATABASE_URL = url;
  });
  afterEach(async () => {
    await expectBalancedLedger(getDb());
  });
  afterAll(async () => {
    await closeDb();
    await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  return {
    db: getDb,
    url: () => url,
    sql: (text, values) => queryOnce(url, text, values),
  };
}
