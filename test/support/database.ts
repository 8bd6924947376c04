import { randomBytes } from 'node:crypto';
import { closeDb, type DB, databaseUrl, type LoginRole, secureDatabase } from '@auditflow/db';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { expectBalancedBooks, expectBalancedLedger } from './ledger';
import { roleConnections, testRoleUrl } from './roles';
import { onServer, TEMPLATE_DATABASE } from './server';

export interface TestDatabase {
  /** The database as the API and subscribers see it (role auditflow_api, through DATABASE_URL). */
  db(): Kysely<DB>;
  /** The database as the relay sees it (role auditflow_relay). */
  relayDb(): Kysely<DB>;
  /** The database as the operator CLI sees it (role auditflow_operator). */
  operatorDb(): Kysely<DB>;
  /** The owner's (superuser's) URL: for setup that needs it, and for nothing else. */
  url(): string;
  /** The URL for one login role. */
  roleUrl(role: LoginRole): string;
  /** Runs raw SQL as a superuser, e.g. to plant a fault or to inspect what an attack left. */
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  /** Runs raw SQL as a login role. */
  sqlAs(role: LoginRole, text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

/**
 * Gives the test file a fresh migrated database of its own (a clone of the
 * template) and points DATABASE_URL at it as the API's role, so every part
 * runs under its own role as deployed. After every test it checks the
 * invariants: per tenant, as many transitions as audit rows as outbox rows,
 * and books that agree with them and with themselves.
 */
export function useTestDatabase(): TestDatabase {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const serverUrl = inject('serverUrl');
  const url = databaseUrl(serverUrl, name);
  const connections = roleConnections(() => url);
  beforeAll(async () => {
    await onServer(serverUrl, `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
    // Database-level privileges are not copied from the template.
    await secureDatabase(connections.ownerDb());
    process.env.DATABASE_URL = testRoleUrl(url, 'api');
    process.env.PLATFORM_DATABASE_URL = testRoleUrl(url, 'operator');
  });
  afterEach(async () => {
    // The owner's view: the ledger spans every tenant, which no login role sees.
    await expectBalancedLedger(connections.ownerDb());
    await expectBalancedBooks(connections.ownerDb());
  });
  afterAll(async () => {
    await closeDb();
    await connections.destroy();
    await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  return connections.parts;
}
