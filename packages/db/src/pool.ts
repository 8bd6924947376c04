import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type ConnectionTarget, clientConfig, resolveConnectionTarget } from './connection';
import type { DB } from './database';

const INT8 = 20;
const DATE = 1082;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;

/**
 * Rows come back JSON-safe: bigints as numbers (amounts are bounded well below
 * 2^53 by validation, and a larger value fails loudly), dates as `YYYY-MM-DD`
 * and instants as ISO strings. A row therefore survives a JSON round trip
 * unchanged, which is what audit snapshots and idempotent replays rely on.
 */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    switch (oid) {
      case INT8:
        return parseSafeInteger;
      case DATE:
        return (value: string) => value;
      case TIMESTAMP:
        return (value: string) => new Date(`${value}Z`).toISOString();
      case TIMESTAMPTZ:
        return (value: string) => new Date(value).toISOString();
      default:
        return pg.types.getTypeParser(oid, format as 'text');
    }
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function parseSafeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`int8 ${value} exceeds 2^53`);
  return parsed;
}

export interface PoolOptions {
  target?: ConnectionTarget;
  /** Connections at most; a Lambda serves one request at a time, so keep it small there. */
  max?: number;
  applicationName?: string;
  /** Milliseconds one statement may run. */
  statementTimeoutMs?: number;
  /** Milliseconds a transaction may sit idle before Postgres ends the session. */
  idleInTransactionTimeoutMs?: number;
  /**
   * Milliseconds to wait for a connection (a free one from the pool, or a new
   * one from the server) before giving up with a connect timeout.
   */
  connectTimeoutMs?: number;
}

/**
 * An unreachable database answers within this much: a refused connection
 * fails at once, one that hangs fails here, so a request during an outage is
 * answered (503) in seconds rather than held until the client gives up.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

/**
 * How much longer than the statement timeout the client waits for an answer
 * before it gives the connection up: the server enforces the statement
 * timeout, so only a server that stopped answering altogether reaches this.
 */
const QUERY_TIMEOUT_MARGIN_MS = 2_000;

/** A Kysely instance over a pg pool, with the type parsers above. */
export function createDb(options: PoolOptions = {}): Kysely<DB> {
  const target = options.target ?? resolveConnectionTarget();
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    ...clientConfig(target),
    max: options.max ?? Number(process.env.DATABASE_POOL_MAX ?? 5),
    application_name: options.applicationName ?? 'auditflow',
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 30_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // A peer that vanished without closing the socket is noticed by the OS.
    keepAlive: true,
    types: typeParsers,
  });
  // A connection can be cut at any time (failover, proxy recycling, a restart).
  // pg emits 'error' on the client, and an 'error' event nobody listens to
  // ends the process. The pool's own listener covers idle connections only,
  // so every connection gets one of its own for the time it is checked out:
  // the statement running on it fails (that one request), and the pool
  // discards the broken connection when it is released.
  pool.on('connect', (client) => {
    client.on('error', (error) => warnConnectionLost('database connection lost', error));
  });
  pool.on('error', (error) => warnConnectionLost('idle database connection lost', error));
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

function warnConnectionLost(message: string, error: Error): void {
  console.error(JSON.stringify({ level: 'WARN', message, error: error.message }));
}

let shared: Kysely<DB> | undefined;
let platform: Kysely<DB> | undefined;

/**
 * The process-wide database handle, created on first use from the
 * environment. Lambda handlers share it across invocations of one container.
 */
export function getDb(): Kysely<DB> {
  shared ??= createDb();
  return shared;
}

/**
 * The handle for reads across every tenant (the operator routes under the
 * platform scope): the operator role's connection, whose row-level security
 * policies read the outbox and the history of all tenants and nothing else.
 * From `PLATFORM_DATABASE_URL`, or the linked resource
 * `PLATFORM_DATABASE_RESOURCE` names (default `DatabaseOperator`). Kept
 * apart from getDb(), whose role sees one tenant per transaction.
 */
export function getPlatformDb(): Kysely<DB> {
  platform ??= createDb({
    target: resolveConnectionTarget({
      ...process.env,
      DATABASE_URL: process.env.PLATFORM_DATABASE_URL,
      DATABASE_RESOURCE: process.env.PLATFORM_DATABASE_RESOURCE || 'DatabaseOperator',
    }),
    max: 2,
    applicationName: 'auditflow-platform-reads',
  });
  return platform;
}

/** Closes the shared handles (tests and CLIs); the next getDb() opens a new one. */
export async function closeDb(): Promise<void> {
  const handles = [shared, platform];
  shared = undefined;
  platform = undefined;
  await Promise.all(handles.map((db) => db?.destroy()));
}
