import type { DB } from '@auditflow/db';
import { listDeadEvents, outboxStatus, reconcile } from '@auditflow/operator';
import { listDeadLetters } from '@auditflow/subscriber';
import type { Kysely } from 'kysely';

/** The commands that only read: how each prints, and its exit code. */
export const REPORTS: Record<string, (db: Kysely<DB>, json: boolean) => Promise<number>> = {
  async status(db, json) {
    const status = await outboxStatus(db);
    if (json) console.log(JSON.stringify(status));
    else {
      console.log(
        `pending ${status.pending}, published ${status.published}, dead ${status.dead}, ` +
          `skipped ${status.skipped}, ` +
          `oldest pending ${status.oldestPendingAgeMs} ms`,
      );
    }
    return 0;
  },
  async dead(db, json) {
    const dead = await listDeadEvents(db);
    if (json) console.log(JSON.stringify(dead));
    else if (dead.length === 0) console.log('no dead events');
    else
      for (const event of dead)
        console.log(`${event.id}  ${event.eventType}  ${event.aggregate}  ${event.reason}`);
    return 0;
  },
  /** Exits 1 on a mismatch, so a script can alert on it. */
  async reconcile(db, json) {
    const result = await reconcile(db);
    const { books } = result;
    if (json) console.log(JSON.stringify(result));
    else {
      console.table(result.rows);
      console.table(books.rows);
      if (result.prunedBefore)
        console.log(`(events before ${result.prunedBefore} were pruned and not checked)`);
      if (books.balanceMismatches.length) console.table(books.balanceMismatches);
      if (books.entryFaults.length) console.table(books.entryFaults);
      const faults =
        result.mismatches.length +
        books.mismatches.length +
        books.balanceMismatches.length +
        books.entryFaults.length;
      console.log(faults ? `${faults} mismatch(es)` : 'all balanced');
    }
    return result.balanced ? 0 : 1;
  },
  async 'subscriber-dead'(db, json) {
    const letters = await listDeadLetters(db);
    if (json) console.log(JSON.stringify(letters));
    else if (letters.length === 0) console.log('no dead letters');
    else {
      for (const letter of letters) {
        console.log(
          `${letter.failed_at}  ${letter.subscriber}  ${letter.detail_type}  ${letter.event_id}  ${letter.reason}`,
        );
      }
    }
    return 0;
  },
};
