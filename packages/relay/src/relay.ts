import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DB, isDatabaseUnavailable, type OutboxRow } from '@auditflow/db';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Kysely } from 'kysely';
import { aggregateKey } from './aggregate-key';
import { type RetryPolicy, retryDelayMs } from './backoff';
import { RELAY_DEFAULTS } from './defaults';
import { entrySize, MAX_REQUEST_BYTES, toEntry } from './envelope';
import { createLimiter } from './limiter';
import { createOutageTracker } from './outage';
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
  const outage = createOutageTracker(telemetry);
  // Outcomes a lost connection kept this relay from recording: EventBridge
  // accepted (or refused) these events, or they were to be handed back.
  // Recorded once the database is back, so accepted events are marked now
  // rather than sent again when their lease ends, and their aggregates'
  // later versions are not held back meanwhile.
  const leftovers: { outcomes: EntryOutcome[]; release: string[] }[] = [];
  let settling: Promise<PassResult> | undefined;

  /** Records the leftovers, oldest first; one caller at a time, the others wait for it. */
  function settleLeftovers(): Promise<PassResult> {
    settling ??= (async () => {
      const settled = emptyPass();
      while (leftovers[0]) {
        const { outcomes, release } = leftovers[0];
        const counts = await keepIfLost(() => recordOutcomes(outcomes), { outcomes, release: [] });
        await releaseClaims(db, relayId, release);
        leftovers.shift();
        settled.published += counts.published;
        settled.retried += counts.retried;
        settled.dead += counts.dead;
        settled.released += release.length;
      }
      return settled;
    })().finally(() => {
      settling = undefined;
    });
    return settling;
  }

  /** Runs `record`; if the database is unavailable, keeps `leftover` for settleLeftovers. */
  async function keepIfLost<T>(
    record: () => Promise<T>,
    leftover: { outcomes: EntryOutcome[]; release: string[] },
  ): Promise<T> {
    try {
      return await record();
    } catch (error) {
      if (isDatabaseUnavailable(error)) leftovers.push(leftover);
      throw error;
    }
  }

  async function runPass(deadline = Number.POSITIVE_INFINITY): Promise<PassResult> {
    const result = leftovers.length > 0 ? await settleLeftovers() : emptyPass();
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
      const ids = rows.map((p) => p.row.id);
      await keepIfLost(() => releaseClaims(db, relayId, ids), { outcomes: [], release: ids });
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
      const counts = await keepIfLost(() => recordOutcomes(outcomes), { outcomes, release: [] });
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
   *
   * A database that is unavailable is tried again with backoff (100 ms,
   * doubling to 2 s) until it is back or time is up, and reported once when
   * it goes and once when it returns (`database available again, after N
   * ms`). A drain whose time runs out while the database is still away
   * throws its last error. Any other failure is thrown once every pass ended.
   */
  async function drain(drainOptions: DrainOptions): Promise<PassResult> {
    const totals = emptyPass();
    const minPoll = drainOptions.minPollMs ?? RELAY_DEFAULTS.minPollMs;
    const maxPoll = drainOptions.maxPollMs ?? RELAY_DEFAULTS.maxPollMs;
    const running = () => Date.now() < drainOptions.until && !drainOptions.signal?.aborted;
    const pause = (ms: number) => (drainOptions.wake ? drainOptions.wake.wait(ms) : sleep(ms));
    const busyLoop = async () => {
      while (running()) {
        const pass = await runPass(drainOptions.until);
        for (const key of Object.keys(totals) as (keyof PassResult)[]) totals[key] += pass[key];
        if (pass.claimed === 0) return;
      }
    };
    let idle = minPoll;
    let lastFailure: unknown;
    while (running()) {
      const claimedBefore = totals.claimed;
      // Settled, not Promise.all: a failed pass must not leave its siblings
      // running while the next round starts more.
      const passes = await Promise.allSettled(Array.from({ length: parallelPasses }, busyLoop));
      const failure = passes.find((pass) => pass.status === 'rejected');
      if (failure) {
        // A database that is down is waited for, reported once; anything else is a bug.
        const wait = outage.failed(failure.reason);
        if (wait === undefined) throw failure.reason;
        lastFailure = failure.reason;
        const remaining = drainOptions.until - Date.now();
        if (remaining > 0) await pause(Math.min(wait, remaining));
        continue;
      }
      outage.succeeded();
      if (totals.claimed > claimedBefore) {
        idle = minPoll;
        continue;
      }
      if (drainOptions.whenIdle !== 'wait') break;
      const remaining = drainOptions.until - Date.now();
      if (remaining <= 0) break;
      await pause(Math.min(idle, remaining));
      idle = Math.min(idle * 2, maxPoll);
    }
    // Time ran out with the database still away: this drain failed (a Lambda
    // invocation reports it), though the outage was reported only once.
    if (outage.down) throw lastFailure;
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
