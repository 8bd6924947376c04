import pg from 'pg';

/**
 * Runs statements in one transaction on a fresh connection to `url`, and
 * commits; resolves with the SQLSTATE that stopped it, or null when it
 * committed. With `tenant`, the transaction first sets the tenant the way the
 * write unit does, so a refusal comes from the check under test and not
 * from row-level security.
 */
export async function attempt(
  url: string,
  statements: string[],
  options: { tenant?: string } = {},
): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    if (options.tenant) {
      await client.query(`SELECT set_config('auditflow.tenant_id', $1, true)`, [options.tenant]);
    }
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
    return null;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    return (error as { code?: string }).code ?? 'unknown';
  } finally {
    await client.end();
  }
}
