import { type Kysely, sql } from 'kysely';
import * as z from 'zod/mini';
import { describeEnvError } from './env-schema';

/** How long subscribers' receipts are kept unless configured otherwise. */
export const DEFAULT_INBOX_RETENTION_DAYS = 30;

const envSchema = z.object({
  // Two days at least: a replay stays a day away from the edge (migration 0013).
  INBOX_RETENTION_DAYS: z._default(
    z.coerce.number().check(z.int(), z.minimum(2), z.maximum(3650)),
    DEFAULT_INBOX_RETENTION_DAYS,
  ),
});

/** INBOX_RETENTION_DAYS (2 to 3650, default 30); throws naming the variable when invalid. */
export function inboxRetentionDaysFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid configuration: ${describeEnvError(parsed.error)}`);
  return parsed.data.INBOX_RETENTION_DAYS;
}

/**
 * Sets how long subscribers' receipts are kept, the one setting both the
 * relay's inbox prune and the replay horizon read (migration 0013). Run by
 * the owner; no login role may change it, so neither the relay nor an
 * operator can shorten it. Idempotent.
 */
export async function configureInboxRetention<T>(db: Kysely<T>, days: number): Promise<void> {
  await sql`
    UPDATE inbox_retention SET keep_for = make_interval(days => ${days}::int)
  `.execute(db);
}

/** The configured retention, in days (fractions for a test's shorter setting). */
export async function inboxRetentionDays<T>(db: Kysely<T>): Promise<number> {
  const { rows } = await sql<{ days: number }>`
    SELECT extract(epoch FROM keep_for)::float8 / 86400 AS days FROM inbox_retention
  `.execute(db);
  const days = rows[0]?.days;
  if (days === undefined) throw new Error('inbox_retention has no row: is the database migrated?');
  return days;
}
