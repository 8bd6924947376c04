import { type Kysely, sql } from 'kysely';
import { isDatabaseUnavailable } from './unavailable';

/**
 * `up` when the database answers a trivial query, `down` when it cannot be
 * reached or the connection is lost; bounded by the pool's connect timeout.
 * Any other failure (a bug) is thrown, not reported as an outage.
 */
export async function databaseHealth<T>(db: Kysely<T>): Promise<'up' | 'down'> {
  try {
    await sql`SELECT 1`.execute(db);
    return 'up';
  } catch (error) {
    if (isDatabaseUnavailable(error)) return 'down';
    throw error;
  }
}
