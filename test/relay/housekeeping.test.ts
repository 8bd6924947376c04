import { pruneRound } from '@auditflow/functions';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();
const logger = new Logger({ serviceName: 'housekeeping-test', logLevel: 'SILENT' });
const RETENTION = { retentionMs: 7 * 86_400_000, idempotencyRetentionMs: 7 * 86_400_000 };

/** Receipts as subscribers leave them, processed `ageDays` ago (the owner backdates them). */
async function receipts(subscriber: string, ageDays: number[]) {
  for (const age of ageDays) {
    await database.sql(
      `INSERT INTO inbox (subscriber, event_id, event_type, processed_at)
       VALUES ($1, gen_random_uuid(), 'payroll.run_paid.v1', now() - make_interval(secs => $2))`,
      [subscriber, age * 86_400],
    );
  }
}

const remaining = async (subscriber: string) =>
  (
    await database.sql(
      `SELECT round(extract(epoch FROM now() - processed_at) / 86400)::int AS age
         FROM inbox WHERE subscriber = $1 ORDER BY age`,
      [subscriber],
    )
  ).rows.map((row) => row.age);

describe('relay housekeeping', () => {
  it('forgets inbox receipts older than the retention as the relay, and keeps the rest', async () => {
    await receipts('prune-a', [1, 29, 31, 45]);
    await pruneRound(database.relayDb(), RETENTION, logger);
    expect(await remaining('prune-a')).toEqual([1, 29]);
  });

  it('prunes by the retention the database holds', async () => {
    await receipts('prune-b', [1, 4]);
    await database.sql("UPDATE inbox_retention SET keep_for = '3 days'");
    try {
      await pruneRound(database.relayDb(), RETENTION, logger);
    } finally {
      await database.sql("UPDATE inbox_retention SET keep_for = '30 days'");
    }
    expect(await remaining('prune-b')).toEqual([1]);
  });
});
