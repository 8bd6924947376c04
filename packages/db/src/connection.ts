import type pg from 'pg';
import * as z from 'zod/mini';
import { describeEnvError, parseJsonVariable } from './env-schema';

/** Where the database is: a URL, or the fields of a linked SST `Postgres` resource. */
export type ConnectionTarget = { connectionString: string } | LinkedDatabase;

const linkedDatabaseSchema = z.object({
  host: z.string().check(z.minLength(1)),
  port: z.coerce.number().check(z.int(), z.positive()),
  username: z.string().check(z.minLength(1)),
  password: z.string(),
  database: z.string().check(z.minLength(1)),
});
type LinkedDatabase = z.infer<typeof linkedDatabaseSchema>;

/**
 * Resolves the database to use: `DATABASE_URL` wins; otherwise the linked SST
 * resource that `DATABASE_RESOURCE` names (default `Database`, the master
 * credentials only the Migrator is linked to; `DatabaseApi` or
 * `DatabaseRelay` for a login role), which SST hands to a Lambda as the
 * `SST_RESOURCE_<name>` environment variable (JSON). Throws when neither is
 * set.
 */
export function resolveConnectionTarget(env: NodeJS.ProcessEnv = process.env): ConnectionTarget {
  const url = env.DATABASE_URL?.trim();
  if (url) return { connectionString: url };
  const variable = `SST_RESOURCE_${env.DATABASE_RESOURCE?.trim() || 'Database'}`;
  const linked = env[variable];
  if (linked) {
    const parsed = linkedDatabaseSchema.safeParse(parseJsonVariable(variable, linked));
    if (!parsed.success) {
      throw new Error(`${variable} is not a database resource: ${describeEnvError(parsed.error)}`);
    }
    return parsed.data;
  }
  throw new Error('No database configured: set DATABASE_URL (or link the Database resource).');
}

/** The URL form of a target, with the password masked, for logs and banners. */
export function describeTarget(target: ConnectionTarget): string {
  if ('connectionString' in target) {
    const url = new URL(target.connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  }
  return `postgres://${target.username}:***@${target.host}:${target.port}/${target.database}`;
}

/**
 * What a pg Client or Pool needs to reach `target`, with the same role. A
 * linked resource is RDS Proxy, which presents a publicly trusted
 * certificate, so it is verified.
 */
export function clientConfig(target: ConnectionTarget): pg.ClientConfig {
  if ('connectionString' in target) return { connectionString: target.connectionString };
  return {
    host: target.host,
    port: target.port,
    user: target.username,
    password: target.password,
    database: target.database,
    ssl: { rejectUnauthorized: true },
  };
}

/**
 * The same target at another address (`host` or `host:port`), with the same
 * role, password and database: a part that needs a session of its own (a
 * LISTEN) can reach the instance directly and still connect as itself.
 */
export function atAddress(target: ConnectionTarget, address: string): ConnectionTarget {
  const { host, port } = parseAddress(address);
  if ('connectionString' in target) {
    const url = new URL(target.connectionString);
    url.hostname = host;
    if (port !== undefined) url.port = String(port);
    return { connectionString: url.toString() };
  }
  return { ...target, host, port: port ?? target.port };
}

function parseAddress(address: string): { host: string; port?: number } {
  const match = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(address.trim());
  if (!match?.[1]) throw new Error(`not a host or host:port: ${address}`);
  return match[2] === undefined ? { host: match[1] } : { host: match[1], port: Number(match[2]) };
}
