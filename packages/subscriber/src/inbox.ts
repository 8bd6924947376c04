import type { DB } from '@auditflow/db';
import { type Kysely, sql, type Transaction } from 'kysely';

/**
 * Records that `subscriber` processed an event, in the transaction of its
 * effect. Returns false when it already had: the caller then does nothing,
 * so a redelivered or replayed event changes nothing.
 */
export async function recordInboxEvent(
  trx: Transaction<DB>,
  entry: { subscriber: string; eventId: string; eventType: string },
): Promise<boolean> {
  // A concurrent delivery of the same event waits on the primary key here
  // until the first commits, then finds the row and backs off.
  const inserted = await trx
    .insertInto('inbox')
    .values({ subscriber: entry.subscriber, event_id: entry.eventId, event_type: entry.eventType })
    .onConflict((conflict) => conflict.columns(['subscriber', 'event_id']).doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Forgets receipts older than the inbox retention (set by the owner, see
 * configureInboxRetention), oldest first, at most `limit`. Runs through
 * prune_inbox(), so the relay's role, which calls it, never reads the inbox.
 * Replays stay within the retention (replay_events() refuses older events),
 * so a forgotten receipt is never needed again. Returns how many it forgot.
 */
export async function pruneInbox(db: Kysely<DB>, options: { limit: number }): Promise<number> {
  const { rows } = await sql<{ pruned: number }>`
    SELECT prune_inbox(${options.limit}::int) AS pruned
  `.execute(db);
  return rows[0]?.pruned ?? 0;
}

/** Keeps an event the subscriber cannot use, with the reason, for an operator to look at. */
export async function recordDeadLetter(
  db: Kysely<DB>,
  letter: {
    subscriber: string;
    eventId?: string | null;
    detailType?: string | null;
    event: unknown;
    reason: string;
  },
): Promise<void> {
  await db
    .insertInto('subscriber_dead_letters')
    .values({
      subscriber: letter.subscriber,
      event_id: letter.eventId ?? null,
      detail_type: letter.detailType ?? null,
      event: JSON.stringify(letter.event ?? null),
      reason: letter.reason,
    })
    .execute();
}

/** Open dead letters (not yet redriven), newest first, of one subscriber or all. Read only. */
export async function listDeadLetters(db: Kysely<DB>, limit = 100, subscriber?: string) {
  return db
    .selectFrom('subscriber_dead_letters')
    .select(['id', 'subscriber', 'event_id', 'detail_type', 'reason', 'failed_at'])
    .where('redriven_at', 'is', null)
    .$if(subscriber !== undefined, (q) => q.where('subscriber', '=', subscriber ?? ''))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
