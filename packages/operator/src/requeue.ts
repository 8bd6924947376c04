import type { DB } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

/** An event a retry or a replay queues (or, in a dry run, would queue) to be published again. */
export interface QueuedEvent {
  id: string;
  tenantId: string;
  eventType: string;
  aggregate: string;
  occurredAt: string;
}

/** What every requeue may be limited to. */
export interface RequeueLimits {
  /** Only this tenant's events. */
  tenantId?: string | undefined;
  /** Refuse, changing nothing, when more events than this match. */
  maxRows?: number | undefined;
  /** List what would be queued and change nothing. */
  dryRun?: boolean | undefined;
}

/**
 * Who asks for a requeue and why: each event it queues is recorded as an
 * operator action with these, in the statement that queues it. A dry run
 * records nothing.
 */
export interface RequeueBy {
  actor: string;
  /** 1-500 characters. */
  reason: string;
  correlationId: string;
}

/** Why the database refused a requeue; it changed nothing. */
export class RequeueRefused extends Error {
  constructor(
    /** `beyond_retention`: a replay reached events older than the inbox retention allows; `over_limit`: more rows matched than allowed. */
    readonly reason: 'beyond_retention' | 'over_limit',
    message: string,
  ) {
    super(message);
    this.name = 'RequeueRefused';
  }
}

const REFUSALS = { AF008: 'beyond_retention', AF009: 'over_limit' } as const;

/**
 * Gives dead events a fresh start: pending, due now, attempts reset. With
 * `ids`, only those (that are dead); without, every dead event (of the
 * tenant, if named). Returns the events queued, or with `dryRun` those that
 * would be. Idempotent. Throws RequeueRefused (`over_limit`) when more than
 * `maxRows` match. Each event queued is recorded as an operator action of
 * `target.by`. Runs through retry_dead_events(), the operator role's only
 * way to revive events in bulk.
 */
export async function retryDeadEvents(
  db: Kysely<DB>,
  target: { ids?: string[] | undefined; by: RequeueBy } & RequeueLimits,
): Promise<QueuedEvent[]> {
  return refusalsTyped(
    sql<QueuedEvent>`
      SELECT id, tenant_id AS "tenantId", event_type AS "eventType", aggregate,
             occurred_at AS "occurredAt"
        FROM retry_dead_events(${target.ids ?? null}::uuid[], ${target.tenantId ?? null}::text,
                               ${target.maxRows ?? null}::int, ${target.dryRun ?? false},
                               ${target.by.actor}, ${target.by.reason}, ${target.by.correlationId})
    `.execute(db),
  );
}

/**
 * Publishes again the events that occurred in [from, to), optionally of one
 * type and one tenant: published and dead ones go back to pending
 * (subscribers dedupe on the event id by their inbox). Returns the events
 * queued, or with `dryRun` those that would be. Throws RequeueRefused,
 * changing nothing, when the window holds an event older than the inbox
 * retention less a day (`beyond_retention`: its receipts may be pruned
 * before it is delivered, and it would apply twice), or more than `maxRows`
 * match (`over_limit`). Each event queued is recorded as an operator action
 * of `range.by`. Runs through replay_events().
 */
export async function replayEvents(
  db: Kysely<DB>,
  range: {
    from: string;
    to: string;
    eventType?: string | undefined;
    by: RequeueBy;
  } & RequeueLimits,
): Promise<QueuedEvent[]> {
  return refusalsTyped(
    sql<QueuedEvent>`
      SELECT id, tenant_id AS "tenantId", event_type AS "eventType", aggregate,
             occurred_at AS "occurredAt"
        FROM replay_events(${range.from}::timestamptz, ${range.to}::timestamptz,
                           ${range.eventType ?? null}::text, ${range.tenantId ?? null}::text,
                           ${range.maxRows ?? null}::int, ${range.dryRun ?? false},
                           ${range.by.actor}, ${range.by.reason}, ${range.by.correlationId})
    `.execute(db),
  );
}

async function refusalsTyped(query: Promise<{ rows: QueuedEvent[] }>): Promise<QueuedEvent[]> {
  try {
    return (await query).rows;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code in REFUSALS) {
      throw new RequeueRefused(REFUSALS[code as keyof typeof REFUSALS], (error as Error).message);
    }
    throw error;
  }
}
