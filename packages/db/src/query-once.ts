import pg from 'pg';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './pool';

/**
 * Runs one statement on a connection of its own, then closes it: for
 * statements a pool's transaction cannot run (CREATE/DROP DATABASE) and for
 * tools that ask once and go (tests, benchmarks). Throws what the statement
 * throws, or the connection's error when the server cannot be reached
 * (within a few seconds) or goes away meanwhile.
 */
export async function queryOnce<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values?: unknown[],
): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS,
  });
  // The connection can be cut while the statement runs: the statement then
  // fails on its own, and an 'error' event nobody hears would end the process.
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query<R>(text, values);
  } finally {
    // Ending a broken connection can fail too; the statement's outcome is what counts.
    await client.end().catch(() => {});
  }
}
