/**
 * What a relay does unless told otherwise: `createRelay`, the relay Lambda's
 * environment settings and the benchmarks all start from these.
 */
export const RELAY_DEFAULTS = {
  /** Events claimed per pass. */
  batchSize: 500,
  /** PutEvents requests in flight at once, shared by the passes. */
  concurrency: 16,
  /** Passes at once, each with its own database connection. */
  parallelPasses: 3,
  /** How long a claim protects its rows. */
  leaseMs: 60_000,
  /** Claims of one event before it goes to dead, and the backoff between them. */
  retry: { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 },
  /** An idle relay polls after this long at first, doubling up to `maxPollMs`. */
  minPollMs: 50,
  maxPollMs: 2_000,
  /** Published events are kept this long, for replays, then pruned. */
  retentionHours: 24 * 7,
  /** Time a relay Lambda keeps back from its deadline: a request started just before may take 6 s. */
  safetyMarginMs: 10_000,
} as const;
