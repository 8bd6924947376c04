import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DB, OutboxRow } from '@auditflow/db';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Kysely } from 'kysely';
import { aggregateKey } from './aggregate-key';
import { type RetryPolicy, retryDelayMs } from './backoff';
import { RELAY_DEFAULTS } from './defaults';
import { entrySize, MAX_REQUEST_BYTES, toEntry } from './envelope';
import { createLimiter } from './limiter';
import { type EntryOutcome, putEvents } from './publish';
import { claimEvents, markDead, markPublished, releaseClaims, scheduleRetries } from './statements';
import type { WakeSignal } from './wake';
import { type PlannedEntry, planWaves } from './waves';

/** The logging and metrics a relay reports to; Powertools' Logger and Metrics fit. */
export interface RelayTelemetry {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
  metric?(name: string, unit: 'Count' | 'Milliseconds', value: number): void;
}

export interface RelayOptions {
  db: Kysely<DB>;
  client: EventBridgeClient;
  busName: string;
  /** First part of every Source: `<app>.<context>`. */
  app?: string;
  relayId?: string;
  /** Events claimed per pass. */
  batchSize?: number;
  /** PutEvents requests in flight at once, across all of this relay's passes. */
  concurrency?: number;
  /**
   * Passes a drain runs at once, sharing the `concurrency` request slots: while
   * one pass claims or marks rows, the others' requests keep the slots busy.
   */
  parallelPasses?: number;
  /** How long a claim protects its rows; a relay that dies frees them when it ends. */
  leaseMs?: number;
  retry?: RetryPolicy;
  telemetry?: RelayTelemetry;
  /** Test seams: a throw here stops the pass as a crash would, leaving its claims to expire. */
  hooks?: {
    afterClaim?(rows: OutboxRow[]): void | Promise<void>;
    afterPublish?(outcomes: EntryOutcome[]): void | Promise<void>;
  };
}

export interface PassResult {
  claimed: number;
  published: number;
  retried: number;
  dead: number;
  released: number;
}

export interface DrainOptions {
  /** Epoch ms after which no new pass starts (the Lambda's deadline minus a margin). */
  until: number;
  /** When nothing is due: return at once, or wait for work until `until`. */
  whenIdle?: 'return' | 'wait';
  wake?: WakeSignal;
  /** Idle polling starts here and doubles up to `maxPollMs`. */
  minPollMs?: number;
  maxPollMs?: number;
  signal?: AbortSignal;
}

/** Time kept back from the end of a lease: a wave that starts must finish inside it. */
const LEASE_MARGIN_MS = 10_000;

const silent: RelayTelemetry = { info() {}, warn() {}, error() {} };
const emptyPass = (): PassResult => ({
  claimed: 0,
  published: 0,
  retried: 0,
  dead: 0,
  released: 0,
});

/**
 * The outbox relay: claims due events, publishes them to EventBridge and
 * records each outcome. Delivery is at least once: an event is marked
 * published only after EventBridge accepted it, so a crash in between sends
 * it again after its lease ends (subscribers dedupe on the event id).
 */
export function createRelay(options: RelayOptions) {
  const relayId = options.relayId ?? `relay-${randomUUID()}`;
  const app = options.app ?? 'auditflow';
  const batchSize = options.batchSize ?? RELAY_DEFAULTS.batchSize;
  const sendSlot = createLimiter(options.concurrency ?? RELAY_DEFAULTS.concurrency);
  const parallelPasses = options.parallelPasses ?? RELAY_DEFAULTS.parallelPasses;
  const leaseMs = options.leaseMs ?? RELAY_DEFAULTS.leaseMs;
  const policy = options.retry ?? RELAY_DEFAULTS.retry;
  const telemetry = options.telemetry ?? silent;
  const { db } = options;

  async function runPass(deadline = Number.POSITIVE_INFINITY): Promise<PassResult> {
    const result = emptyPass();
    const claimedAt = Date.now();
    const rows = await claimEvents(db, { relayId, limit: batchSize, leaseMs });
    // No wave starts past the deadline, nor so late in the lease that another
    // relay could take the rows over while they are still being sent.
    const stopAt = Math.min(deadline, claimedAt + leaseMs - Math.min(LEASE_MARGIN_MS, leaseMs / 3));
    result.claimed = rows.length;
    if (rows.length === 0) return result;
    await options.hooks?.afterClaim?.(rows);

    const planned = rows.map((row) => {
      const entry = toEntry(row, { app, busName: options.busName });
      return { row, entry, size: entrySize(entry) };
    });
    const tooLarge = planned.filter((p) => p.size > MAX_REQUEST_BYTES);
    if (tooLarge.length > 0) {
      await markDead(
        db,
        relayId,
        tooLarge.map((p) => ({
          id: p.row.id,
          error: `EntryTooLarge: the entry is ${p.size} bytes; EventBridge accepts at most ${MAX_REQUEST_BYTES}`,
        })),
      );
      for (const p of tooLarge)
        telemetry.error('event dead-lettered', eventAttributes(p.row, { reason: 'too large' }));
      result.dead += tooLarge.length;
    }

    // Claimed rows this pass will not send go back now, uncounted, rather than when the lease ends.
    const handBack = async (rows: PlannedEntry[]) => {
      if (rows.length === 0) return;
      await releaseClaims(
        db,
        relayId,
        rows.map((p) => p.row.id),
      );
      result.released += rows.length;
    };
    const failedAggregates = new Set<string>();
    const waves = planWaves(planned.filter((p) => p.size <= MAX_REQUEST_BYTES));
    for (const [index, wave] of waves.entries()) {
      if (Date.now() >= stopAt) {
        await handBack(waves.slice(index).flat(2));
        break;
      }
      // Later versions of an aggregate whose event failed or was not sent wait for it.
      await handBack(wave.flat().filter((p) => failedAggregates.has(aggregateKey(p.row))));
      const requests = wave
        .map((request) => request.filter((p) => !failedAggregates.has(aggregateKey(p.row))))
        .filter((request) => request.length > 0);
      const startedAt = performance.now();
      // A request still waiting for a slot when time is up is not sent: it
      // could otherwise go out after another relay took its rows over.
      const sent = await Promise.all(
        requests.map((request) =>
          sendSlot(async () => (Date.now() < stopAt ? putEvents(options.client, request) : null)),
        ),
      );
      // From the wave's start, so the time its requests waited for a slot counts.
      telemetry.metric?.('PutEventsWaveLatency', 'Milliseconds', performance.now() - startedAt);
      const outcomes = sent.flatMap((outcome) => outcome ?? []);
      await options.hooks?.afterPublish?.(outcomes);
      // What EventBridge accepted is recorded first: nothing after it may keep it unmarked.
      const counts = await recordOutcomes(outcomes);
      result.published += counts.published;
      result.retried += counts.retried;
      result.dead += counts.dead;
      for (const outcome of outcomes) {
        if (outcome.kind === 'failed') failedAggregates.add(aggregateKey(outcome.planned.row));
      }
      const unsent = requests.filter((_, i) => sent[i] === null).flat();
      await handBack(unsent);
      // Time is up, so the next wave would hand everything back anyway; this
      // keeps the rule local: an aggregate with an unsent event goes no further.
      for (const p of unsent) failedAggregates.add(aggregateKey(p.row));
    }
    telemetry.metric?.('EventsPublished', 'Count', result.published);
    telemetry.metric?.('EventsRetried', 'Count', result.retried);
    telemetry.metric?.('EventsDead', 'Count', result.dead);
    return result;
  }

  async function recordOutcomes(outcomes: EntryOutcome[]) {
    const published: PlannedEntry[] = [];
    const retries: { id: string; delayMs: number; error: string }[] = [];
    const dead: { id: string; error: string }[] = [];
    for (const outcome of outcomes) {
      const { row } = outcome.planned;
      if (outcome.kind === 'published') {
        published.push(outcome.planned);
      } else if (outcome.retryable && row.attempts < policy.maxAttempts) {
        retries.push({
          id: row.id,
          delayMs: retryDelayMs(row.attempts, policy),
          error: outcome.error,
        });
        telemetry.warn('event will be retried', eventAttributes(row, { error: outcome.error }));
      } else {
        const reason = outcome.retryable
          ? `${outcome.error} (gave up after ${row.attempts} attempts)`
          : outcome.error;
        dead.push({ id: row.id, error: reason });
        telemetry.error('event dead-lettered', eventAttributes(row, { error: reason }));
      }
    }
    await markPublished(
      db,
      published.map((p) => p.row.id),
    );
    await scheduleRetries(db, relayId, retries);
    await markDead(db, relayId, dead);
    for (const p of published) telemetry.info('event published', eventAttributes(p.row));
    return { published: published.length, retried: retries.length, dead: dead.length };
  }

  /**
   * Runs passes while there is work and time, `parallelPasses` at once so
   * one pass's database work overlaps another's PutEvents calls (passes
   * claim disjoint rows, and a version never goes while an earlier one is
   * leased, so order per aggregate holds). With `whenIdle: 'wait'` it then
   * sleeps, waking on a nudge or after a poll interval that doubles while
   * nothing arrives, so an idle relay costs the database little.
   */
  async function drain(drainOptions: DrainOptions): Promise<PassResult> {
    const totals = emptyPass();
    const minPoll = drainOptions.minPollMs ?? RELAY_DEFAULTS.minPollMs;
    const maxPoll = drainOptions.maxPollMs ?? RELAY_DEFAULTS.maxPollMs;
    const running = () => Date.now() < drainOptions.until && !drainOptions.signal?.aborted;
    const busyLoop = async () => {
      while (running()) {
        const pass = await runPass(drainOptions.until);
        for (const key of Object.keys(totals) as (keyof PassResult)[]) totals[key] += pass[key];
        if (pass.claimed === 0) return;
      }
    };
    let idle = minPoll;
    while (running()) {
      const claimedBefore = totals.claimed;
      await Promise.all(Array.from({ length: parallelPasses }, busyLoop));
      if (totals.claimed > claimedBefore) {
        idle = minPoll;
        continue;
      }
      if (drainOptions.whenIdle !== 'wait') break;
      const remaining = drainOptions.until - Date.now();
      if (remaining <= 0) break;
      const wait = Math.min(idle, remaining);
      await (drainOptions.wake ? drainOptions.wake.wait(wait) : sleep(wait));
      idle = Math.min(idle * 2, maxPoll);
    }
    return totals;
  }

  return { relayId, runPass, drain };
}

export type Relay = ReturnType<typeof createRelay>;

function eventAttributes(row: OutboxRow, extra: Record<string, unknown> = {}) {
  return {
    eventId: row.id,
    eventType: row.event_type,
    correlationId: row.correlation_id,
    aggregateId: row.aggregate_id,
    aggregateVersion: row.aggregate_version,
    attempts: row.attempts,
    ...extra,
  };
}
