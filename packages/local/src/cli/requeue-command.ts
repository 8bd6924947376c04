import type { DB } from '@auditflow/db';
import { type QueuedEvent, type RequeueLimits, RequeueRefused } from '@auditflow/operator';
import type { Kysely } from 'kysely';
import { confirmChange, type Prompt } from './confirm';

/** What a requeue command prints to, and reads its confirmation from. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  prompt: Prompt;
}

export interface RequeueCommand {
  /** "replay" or "retry": what the question and refusals call it. */
  verb: string;
  /** What it queues ("dead event(s)") and what that means ("queued to publish again"). */
  noun: string;
  queued: string;
  /** The operator call: a retry or a replay, with the limits the command adds. */
  run(db: Kysely<DB>, limits: RequeueLimits): Promise<QueuedEvent[]>;
  tenantId?: string | undefined;
  dryRun: boolean;
  yes: boolean;
  json: boolean;
  /** Above this many events, ask (or need --yes). */
  confirmAbove: number;
}

/**
 * A retry or a replay with its guard rails: first a dry run of the same
 * database function, so what is counted and listed is what would change;
 * then, above the cap, a confirmation (or --yes; without a terminal, a
 * refusal, exit 2); then the change itself, allowed no more events than were
 * confirmed, so events that began to match meanwhile make it change nothing.
 * Exit codes: 0 done (or dry run), 1 declined or changed meanwhile, 2
 * refused (too many without --yes, or beyond the inbox retention).
 */
export async function runRequeue(
  db: Kysely<DB>,
  command: RequeueCommand,
  io: CommandIo,
): Promise<number> {
  const limits = { tenantId: command.tenantId };
  try {
    const preview = await command.run(db, { ...limits, dryRun: true });
    if (command.dryRun) {
      if (command.json) io.out(JSON.stringify({ dryRun: true, events: preview }));
      else {
        for (const event of preview) io.out(describe(event));
        io.out(
          `${preview.length} ${command.noun} would be ${command.queued} (dry run: nothing changed)`,
        );
      }
      return 0;
    }
    const confirmation = await confirmChange({
      count: preview.length,
      cap: command.confirmAbove,
      yes: command.yes,
      question: `${command.verb} ${preview.length} ${command.noun}?`,
      prompt: io.prompt,
    });
    if (confirmation === 'refused') {
      io.err(
        `this ${command.verb} would queue ${preview.length} ${command.noun}, more than ${command.confirmAbove} ` +
          '(OUTBOX_CONFIRM_ABOVE): see them with --dry-run, then run again with --yes; nothing changed',
      );
      return 2;
    }
    if (confirmation === 'declined') {
      io.err('nothing changed');
      return 1;
    }
    const queued = await command.run(db, { ...limits, maxRows: preview.length });
    if (command.json) io.out(JSON.stringify({ dryRun: false, events: queued }));
    else
      io.out(
        `${queued.length} ${command.noun} ${command.queued}, each recorded as an operator action`,
      );
    return 0;
  } catch (error) {
    if (!(error instanceof RequeueRefused)) throw error;
    if (error.reason === 'over_limit') {
      io.err(`more events match than were counted a moment ago (${error.message}): run it again`);
      return 1;
    }
    io.err(`refused: ${error.message}`);
    return 2;
  }
}

const describe = (event: QueuedEvent) =>
  `${event.id}  ${event.tenantId}  ${event.eventType}  ${event.aggregate}  ${event.occurredAt}`;
