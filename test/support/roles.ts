import {
  createDb,
  type DB,
  getDb,
  LOGIN_ROLES,
  type LoginRole,
  type LoginRolePasswords,
  queryOnce,
  roleUrl,
} from '@auditflow/db';
import type { Kysely } from 'kysely';
import type { TestDatabase } from './database';

/** The login roles' passwords on the test server (set once by the global setup). */
export const TEST_ROLE_PASSWORDS: LoginRolePasswords = {
  api: 'test-password-api-0000',
  relay: 'test-password-relay-0000',
  operator: 'test-password-operator-0000',
};

/** Every login role, for attacks that try each one. */
export const LOGIN_ROLE_NAMES = Object.keys(LOGIN_ROLES) as LoginRole[];

/** The URL of a test database for a login role. */
export const testRoleUrl = (databaseUrl: string, role: LoginRole) =>
  roleUrl(databaseUrl, role, TEST_ROLE_PASSWORDS[role]);

/**
 * A test database's connections as each part makes them: the API's through
 * DATABASE_URL (getDb), a pool per other role and one for the owner, opened
 * on first use. `url` is read when used, so it may be known only later.
 */
export function roleConnections(url: () => string) {
  const pools = new Map<LoginRole | 'owner', Kysely<DB>>();
  const pool = (role: LoginRole | 'owner') => {
    let db = pools.get(role);
    if (!db) {
      const connectionString = role === 'owner' ? url() : testRoleUrl(url(), role);
      db = createDb({ target: { connectionString }, max: role === 'owner' ? 1 : undefined });
      pools.set(role, db);
    }
    return db;
  };
  const parts: TestDatabase = {
    db: getDb,
    relayDb: () => pool('relay'),
    operatorDb: () => pool('operator'),
    url,
    roleUrl: (role) => testRoleUrl(url(), role),
    sql: (text, values) => queryOnce(url(), text, values),
    sqlAs: (role, text, values) => queryOnce(testRoleUrl(url(), role), text, values),
  };
  return {
    parts,
    ownerDb: () => pool('owner'),
    async destroy() {
      for (const db of pools.values()) await db.destroy();
      pools.clear();
    },
  };
}
