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
} as const;
