import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDb, type DB } from '@auditflow/db';
import { type RequeueBy, replayEvents, retryDeadEvents, skipDeadEvent } from '@auditflow/operator';
import type { Kysely } from 'kysely';
import { confirmAboveFromEnv, terminalPrompt } from '../cli/confirm';
import { operatorDatabaseUrl, subscriberDatabaseUrl } from '../cli/database-urls';
import { REPORTS } from '../cli/report-commands';
import { type CommandIo, runRequeue } from '../cli/requeue-command';

const USAGE = `usage: npm run outbox -- <command>
  status [--json]                                  pending, published, dead, skipped, oldest pending age
  dead [--json]                                    dead events with their reasons
  retry <event id>… | retry --all-dead --reason <text>
                                                   send dead events again
  skip <event id> --reason <text> [--tenant <id>]  never send a dead event, recorded as an operator
                                                   action; its aggregate's later versions, held
                                                   back while it is dead, then go
  replay --from <iso> --to <iso> [--type <type>] --reason <text>
                                                   publish a time range again (subscribers dedupe);
                                                   refused for events older than the inbox retention less a day
    retry and replay record each event they queue as an operator action (who: OUTBOX_OPERATOR
    or the login name; why: --reason, 1-500 characters, required unless --dry-run), and take:
                           --tenant <id>  only that tenant's events
                           --dry-run      list what would be sent, change nothing
                           --yes          go ahead above OUTBOX_CONFIRM_ABOVE events (default 100)
                                          without asking; without a terminal, required there
  reconcile [--json]                               transitions vs audit rows vs events, and the books; exits 1 on a mismatch
  subscriber-dead [--json]                         events subscribers could not use or receive, with reasons
  subscriber-dlq list|redrive --subscriber <name> [--json]
                                                   a subscriber's dead letters: its SQS queue when
                                                   SUBSCRIBER_DLQ_URL_<NAME> is set (redrive invokes
                                                   SUBSCRIBER_FUNCTION_<NAME>), else the local ones
Uses DATABASE_URL, or the database of the running \`npm start\`.`;

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const TENANT = /^[A-Za-z0-9._-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `npm run outbox -- <command>`: the operator's view of the outbox. */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'all-dead': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      from: { type: 'string' },
      to: { type: 'string' },
      type: { type: 'string' },
      tenant: { type: 'string' },
      subscriber: { type: 'string' },
      reason: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const io: CommandIo = {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    prompt: terminalPrompt(),
  };
  if (values.tenant !== undefined && !TENANT.test(values.tenant)) {
    return usage('--tenant is 1-64 letters, digits, ".", "_" or "-"');
  }
  let opened: Kysely<DB> | undefined;
  const db = async () => {
    opened ??= createDb({ target: { connectionString: await operatorDatabaseUrl() }, max: 1 });
    return opened;
  };
  try {
    const report = Object.hasOwn(REPORTS, command) ? REPORTS[command] : undefined;
    if (report) return await report(await db(), values.json);
    switch (command) {
      case 'retry': {
        const byId = rest.length > 0;
        if (values['all-dead'] === byId)
          return usage('retry needs event ids or --all-dead, not both');
        if (rest.some((id) => !UUID.test(id))) return usage('event ids are UUIDs');
        const ids = values['all-dead'] ? undefined : rest;
        const by = requeueBy('retry', values);
        if (typeof by === 'string') return usage(by);
        return await runRequeue(
          await db(),
          {
            verb: 'retry',
            noun: 'dead event(s)',
            queued: 'queued for another attempt',
            run: (operator, limits) => retryDeadEvents(operator, { ids, by, ...limits }),
            ...guardRails(values),
          },
          io,
        );
      }
      case 'skip': {
        const [id, ...more] = rest;
        if (!id || more.length > 0 || !UUID.test(id)) return usage('skip needs one event id');
        const reason = values.reason?.trim();
        if (!reason || reason.length > 500) return usage('skip needs --reason, 1-500 characters');
        const action = await skipDeadEvent(await db(), {
          eventId: id,
          tenantId: values.tenant ?? null,
          actor: operatorActor(),
          reason,
          correlationId: `cli-skip-${randomUUID()}`,
        });
        if (!action) {
          console.error(
            `${id} is not a dead event${values.tenant ? ` of ${values.tenant}` : ''}; nothing skipped`,
          );
          return 1;
        }
        console.log(
          `skipped ${id} (tenant ${action.tenantId}); recorded as operator action ${action.id}`,
        );
        return 0;
      }
      case 'replay': {
        // 0 is a time like any other (1970-01-01T00:00:00Z); only a missing or unparsable one is not.
        const from = values.from === undefined ? Number.NaN : Date.parse(values.from);
        const to = values.to === undefined ? Number.NaN : Date.parse(values.to);
        if (Number.isNaN(from) || Number.isNaN(to) || from >= to) {
          return usage('replay needs --from and --to as ISO times, from before to');
        }
        const range = {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          eventType: values.type,
        };
        const by = requeueBy('replay', values);
        if (typeof by === 'string') return usage(by);
        return await runRequeue(
          await db(),
          {
            verb: 'replay',
            noun: 'event(s)',
            queued: 'queued to publish again',
            run: (operator, limits) => replayEvents(operator, { ...range, by, ...limits }),
            ...guardRails(values),
          },
          io,
        );
      }
      case 'subscriber-dlq': {
        // Loaded on demand: the AWS clients and the handlers' wiring are this command's alone.
        const { runSubscriberDlq } = await import('../cli/subscriber-dlq-command');
        const code = await runSubscriberDlq({
          action: rest[0],
          subscriber: values.subscriber,
          json: values.json,
          env: process.env,
          root: ROOT,
          operatorDb: db,
          subscriberDatabaseUrl: () => subscriberDatabaseUrl(),
          io,
        });
        return code === 2 ? usage('') : code;
      }
      default:
        return usage(`unknown command ${command}`);
    }
  } finally {
    await opened?.destroy();
  }
}

/**
 * Who the operator action names: OUTBOX_OPERATOR if set, else the login
 * name, under `operator:` so it cannot pass for a tenant's user.
 */
function operatorActor(): string {
  const name = process.env.OUTBOX_OPERATOR?.trim() || os.userInfo().username;
  return `operator:${name}`;
}

/**
 * Who a retry or a replay is recorded as, and why: the reason is required
 * unless it is a dry run, which records nothing. A string is the problem.
 */
function requeueBy(
  verb: string,
  values: { reason?: string; 'dry-run': boolean },
): RequeueBy | string {
  const reason = values.reason?.trim() ?? '';
  if (!values['dry-run'] && (reason.length === 0 || reason.length > 500)) {
    return `${verb} needs --reason, 1-500 characters: each event it queues is recorded with it`;
  }
  return {
    actor: operatorActor(),
    reason: reason || '(dry run)',
    correlationId: `cli-${verb}-${randomUUID()}`,
  };
}

/** What retry and replay share: tenant, dry run, --yes, and the cap above which to ask. */
function guardRails(values: { tenant?: string; 'dry-run': boolean; yes: boolean; json: boolean }) {
  return {
    tenantId: values.tenant,
    dryRun: values['dry-run'],
    yes: values.yes,
    json: values.json,
    confirmAbove: confirmAboveFromEnv(),
  };
}

function usage(problem: string): number {
  console.error(problem ? `${problem}\n\n${USAGE}` : USAGE);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
