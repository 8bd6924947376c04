import { setTimeout as sleep } from 'node:timers/promises';
import { createDb } from '@auditflow/db';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

describe('a database connection lost while in use', () => {
  const db = createDb({ target: { connectionString: database.url() }, max: 2 });
  afterAll(() => db.destroy());

  it('fails only the transaction that held it, and the pool serves the next one', async () => {
    const attempt = db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
      // Another session ends this one, as a failover or a proxy recycling it would.
      await database.sql('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      await sql`SELECT 1`.execute(trx);
    });
    await expect(attempt).rejects.toThrow();
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db);
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('survives every connection of the pool being ended while checked out', async () => {
    const attempts = [1, 2].map(() =>
      db.connection().execute(async (conn) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(conn);
        await database.sql('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
        // Give the socket's end time to arrive while nothing is running on it.
        await sleep(100);
        await sql`SELECT 1`.execute(conn);
      }),
    );
    // Settle both before asserting: awaiting one while the other rejects would
    // leave that rejection unhandled for a moment.
    const outcomes = await Promise.allSettled(attempts);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
