import { scheduledEvent as localScheduledEvent } from '@auditflow/local';
import { afterEach, vi } from 'vitest';
import type { TestDatabase } from './database';

/** What EventBridge Scheduler sends the relay. */
export const scheduledEvent = localScheduledEvent();

/**
 * The relay Lambda's handler as a new execution environment would load it:
 * the module's state (pool, configuration) starts empty, and its first
 * invocation reads the environment as it is then.
 */
export async function coldRelayHandler() {
  vi.resetModules();
  const { handler } = await import('../../functions/relay/handler');
  return handler;
}

/**
 * Sets environment variables for one test; after it each gets back the value
 * it had, so the next test's relay starts from the file's configuration.
 */
export function useTestEnv(): (vars: Record<string, string>) => void {
  const saved = new Map<string, string | undefined>();
  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    saved.clear();
  });
  return (vars) => {
    for (const [name, value] of Object.entries(vars)) {
      if (!saved.has(name)) saved.set(name, process.env[name]);
      process.env[name] = value;
    }
  };
}

/** The relay's LISTEN connections to this database, with whether each has run its LISTEN. */
export async function listenConnections(
  database: Pick<TestDatabase, 'sql'>,
): Promise<{ pid: number; listening: boolean }[]> {
  const { rows } = await database.sql(
    `SELECT pid, query FROM pg_stat_activity
      WHERE application_name = 'auditflow-relay-listen' AND datname = current_database()`,
  );
  return rows.map((row) => ({
    pid: Number(row.pid),
    listening: row.query === 'LISTEN outbox_pending',
  }));
}
