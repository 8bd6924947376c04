import { queryOnce } from '@auditflow/db';

/** The migrated database every test file clones. */
export const TEMPLATE_DATABASE = 'auditflow_template';

/** Runs one statement on the server (CREATE/DROP DATABASE cannot run in a pool's transaction). */
export async function onServer(serverUrl: string, statement: string): Promise<void> {
  await queryOnce(serverUrl, statement);
}
