import { type Kysely, sql } from 'kysely';
import * as z from 'zod/mini';
import { describeEnvError, parseJsonVariable } from './env-schema';

/**
 * The login roles, one per part of the system (migration
 * 0006-least-privilege-roles says what each may do). Only the migrator
 * connects as the owner.
 */
export const LOGIN_ROLES = {
  /** API handlers and subscribers: the write unit's DML, nothing else. */
  api: 'auditflow_api',
  /** The relay: delivery state of the outbox, and the prunes. */
  relay: 'auditflow_relay',
  /** The operator CLI: reads, and retry/replay through narrow functions. */
  operator: 'auditflow_operator',
} as const;

export type LoginRole = keyof typeof LOGIN_ROLES;
export type LoginRolePasswords = Record<LoginRole, string>;

const passwordsSchema = z.object({
  api: z.string().check(z.minLength(16)),
  relay: z.string().check(z.minLength(16)),
  operator: z.string().check(z.minLength(16)),
});

/**
 * The login roles' passwords, as the Migrator gets them in AWS: the linked
 * `DatabaseRoles` resource (`SST_RESOURCE_DatabaseRoles`, JSON with `api`,
 * `relay` and `operator`). Throws, without echoing a value, when it is
 * missing or a password is shorter than 16 characters.
 */
export function loginRolePasswordsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): LoginRolePasswords {
  const text = env.SST_RESOURCE_DatabaseRoles;
  if (!text) throw new Error('No login role passwords: link the DatabaseRoles resource.');
  const parsed = passwordsSchema.safeParse(parseJsonVariable('SST_RESOURCE_DatabaseRoles', text));
  if (!parsed.success) {
    throw new Error(`SST_RESOURCE_DatabaseRoles: ${describeEnvError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * Lets the login roles log in with these passwords, and locks the current
 * database down to them (see secureDatabase). Run by the migrator, as the
 * owner, after migrating: the migration creates the roles, configuration
 * supplies the passwords. Idempotent; a changed password takes effect for
 * new connections.
 */
export async function configureLoginRoles<T>(
  db: Kysely<T>,
  passwords: LoginRolePasswords,
): Promise<void> {
  for (const [part, role] of Object.entries(LOGIN_ROLES) as [LoginRole, string][]) {
    // ALTER ROLE takes no bind parameters: the server quotes the name and the
    // password itself (format's %I and %L), so neither is spliced in here.
    const { rows } = await sql<{ statement: string }>`
      SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', ${role}::text, ${passwords[part]}::text) AS statement
    `.execute(db);
    const statement = rows[0]?.statement;
    if (!statement) throw new Error(`could not build the statement for role ${role}`);
    await sql.raw(statement).execute(db);
  }
  await secureDatabase(db);
}

/**
 * Database-level privileges, which belong to the database itself and are not
 * copied by CREATE DATABASE … TEMPLATE: only the login roles (and the owner)
 * may connect, and none of them may create temporary tables. Idempotent.
 */
export async function secureDatabase<T>(db: Kysely<T>): Promise<void> {
  const roles = Object.values(LOGIN_ROLES);
  await sql`
    DO $$
    BEGIN
      EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
      EXECUTE format('GRANT CONNECT ON DATABASE %I TO ${sql.raw(roles.join(', '))}', current_database());
    END $$
  `.execute(db);
}

/** The URL of `serverUrl`'s database for a login role. */
export function roleUrl(serverUrl: string, role: LoginRole, password: string): string {
  const url = new URL(serverUrl);
  url.username = LOGIN_ROLES[role];
  url.password = password;
  return url.toString();
}
