import type { DB } from '@auditflow/db';
import type { Kysely, Transaction } from 'kysely';

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

/** Dead letters, newest first. Read only. */
export async function listDeadLetters(db: Kysely<DB>, limit = 100) {
  return db
    .selectFrom('subscriber_dead_letters')
    .select(['id', 'subscriber', 'event_id', 'detail_type', 'reason', 'failed_at'])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
