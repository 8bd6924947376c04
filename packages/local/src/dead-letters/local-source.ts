import type { DB } from '@auditflow/db';
import {
  type DeadLetter,
  type DeadLetterSource,
  parseDeadLetter,
} from '@auditflow/operator/redrive';
import { type Kysely, sql } from 'kysely';

/**
 * A subscriber's open local dead letters (`npm run outbox -- subscriber-dead`)
 * as a DeadLetterSource: what the local bus kept after three failed
 * deliveries, and what the handler refused. Letters of one event are one
 * letter, its latest, so a redrive delivers each event once; settling marks
 * them all redriven through mark_dead_letters_redriven() (the letters stay,
 * as a record). Reads as the operator.
 */
export function localDeadLetterSource(
  db: Kysely<DB>,
  subscriber: string,
  max = 1_000,
): DeadLetterSource {
  const groups = new Map<string, string[]>();
  let received = false;
  return {
    description: `local dead letters of ${subscriber}`,
    async receive() {
      if (received) return [];
      received = true;
      const rows = await db
        .selectFrom('subscriber_dead_letters')
        .select(['id', 'event_id', 'event', 'reason', 'failed_at'])
        .where('subscriber', '=', subscriber)
        .where('redriven_at', 'is', null)
        .orderBy('id')
        .limit(max)
        .execute();
      const byEvent = new Map<string, typeof rows>();
      for (const row of rows) {
        const key = row.event_id ?? `letter ${row.id}`;
        byEvent.set(key, [...(byEvent.get(key) ?? []), row]);
      }
      const latest = [...byEvent.values()].flatMap((letters) => {
        const last = letters.at(-1);
        if (!last) return [];
        groups.set(
          String(last.id),
          letters.map((letter) => String(letter.id)),
        );
        return [last];
      });
      return latest.map(
        (row): DeadLetter => ({
          id: String(row.id),
          parsed: parseDeadLetter(JSON.stringify(row.event), { ERROR_MESSAGE: row.reason }),
          failedAt: row.failed_at,
        }),
      );
    },
    async settle(letter) {
      const ids = groups.get(letter.id) ?? [letter.id];
      await sql`SELECT mark_dead_letters_redriven(${ids}::bigint[])`.execute(db);
    },
  };
}
