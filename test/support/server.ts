import pg from 'pg';

/** The migrated database every test file clones. */
export const TEMPLATE_DATABASE = 'auditflow_template';

/** Runs one statement on the server (CREATE/DROP DATABASE cannot run in a pool's transaction). */
export async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
