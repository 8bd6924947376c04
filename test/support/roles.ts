import { LOGIN_ROLES, type LoginRole, type LoginRolePasswords, roleUrl } from '@auditflow/db';

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
