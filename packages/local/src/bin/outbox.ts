import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createDb } from '@auditflow/db';
import {
  listDeadEvents,
  outboxStatus,
  reconcile,
  replayEvents,
  retryDeadEvents,
} from '@auditflow/operator';
import { listDeadLetters } from '@auditflow/subscriber';
import { localDataDir } from '../data-dir';
import { stackFile } from '../stack';

const USAGE = `usage: npm run outbox -- <command>
  status [--json]                                  pending, published, dead, oldest pending age
  dead [--json]                                    dead events with their reasons
  retry <event id> | retry --all-dead              send dead events again
  replay --from <iso> --to <iso> [--type <type>]   publish a time range again (subscribers dedupe)
  reconcile [--json]                               transitions vs audit rows vs events, and the books; exits 1 on a mismatch
  subscriber-dead [--json]                         events subscribers could not use or receive, with reasons
Uses DATABASE_URL, or the database of the running \`npm start\`.`;

/** `npm run outbox -- <command>`: the operator's view of the outbox. */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'all-dead': { type: 'boolean', default: false },
      from: { type: 'string' },
      to: { type: 'string' },
      type: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const db = createDb({ target: { connectionString: await databaseUrl() }, max: 1 });
  try {
    switch (command) {
      case 'status': {
        const status = await outboxStatus(db);
        if (values.json) console.log(JSON.stringify(status));
        else {
          console.log(
            `pending ${status.pending}, published ${status.published}, dead ${status.dead}, ` +
              `oldest pending ${status.oldestPendingAgeMs} ms`,
          );
        }
        return 0;
      }
      case 'dead': {
        const dead = await listDeadEvents(db);
        if (values.json) console.log(JSON.stringify(dead));
        else if (dead.length === 0) console.log('no dead events');
        else
          for (const event of dead)
            console.log(`${event.id}  ${event.eventType}  ${event.aggregate}  ${event.reason}`);
        return 0;
      }
      case 'retry': {
        if (!values['all-dead'] && rest.length === 0)
          return usage('retry needs an event id or --all-dead');
        if (rest.some((id) => !/^[0-9a-f-]{36}$/i.test(id))) return usage('event ids are UUIDs');
        const revived = await retryDeadEvents(db, values['all-dead'] ? undefined : rest);
        console.log(`${revived} dead event(s) queued for another attempt`);
        return 0;
      }
      case 'replay': {
        // 0 is a time like any other (1970-01-01T00:00:00Z); only a missing or unparsable one is not.
        const from = values.from === undefined ? Number.NaN : Date.parse(values.from);
        const to = values.to === undefined ? Number.NaN : Date.parse(values.to);
        if (Number.isNaN(from) || Number.isNaN(to) || from >= to) {
          return usage('replay needs --from and --to as ISO times, from before to');
        }
        const queued = await replayEvents(db, {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          eventType: values.type,
        });
        console.log(`${queued} event(s) queued to publish again`);
        return 0;
      }
      case 'reconcile': {
        const result = await reconcile(db);
        const { books } = result;
        if (values.json) console.log(JSON.stringify(result));
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
      }
      case 'subscriber-dead': {
        const letters = await listDeadLetters(db);
        if (values.json) console.log(JSON.stringify(letters));
        else if (letters.length === 0) console.log('no dead letters');
        else {
          for (const letter of letters) {
            console.log(
              `${letter.failed_at}  ${letter.subscriber}  ${letter.detail_type}  ${letter.event_id}  ${letter.reason}`,
            );
          }
        }
        return 0;
      }
      default:
        return usage(`unknown command ${command}`);
    }
  } finally {
    await db.destroy();
  }
}

function usage(problem: string): number {
  console.error(`${problem}\n\n${USAGE}`);
  return 2;
}

async function databaseUrl(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  try {
    const stack = JSON.parse(await fs.readFile(stackFile(localDataDir()), 'utf8')) as {
      databaseUrl: string;
    };
    return stack.databaseUrl;
  } catch {
    throw new Error('No database: set DATABASE_URL, or run `npm start` first.');
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
