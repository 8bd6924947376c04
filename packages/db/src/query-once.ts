import pg from 'pg';

/**
 * Runs one statement on a connection of its own, then closes it: for
 * statements a pool's transaction cannot run (CREATE/DROP DATABASE) and for
 * tools that ask once and go (tests, benchmarks).
 */
export async function queryOnce<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values?: unknown[],
): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<R>(text, values);
  } finally {
    await client.end();
  }
}
