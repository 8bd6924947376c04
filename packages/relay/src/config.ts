import { describeEnvError, parseJsonVariable } from '@auditflow/db';
import * as z from 'zod/mini';
import { RELAY_DEFAULTS } from './defaults';

const positiveInt = (fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.positive()), fallback);
const intBetween = (fallback: number, min: number, max: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

const envSchema = z.object({
  EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
  SST_RESOURCE_Bus: z.optional(z.string()),
  EVENTBRIDGE_ENDPOINT: z.optional(z.url()),
  RELAY_BATCH_SIZE: intBetween(RELAY_DEFAULTS.batchSize, 1, 10_000),
  /** PutEvents requests in flight at once, shared by the passes. */
  RELAY_CONCURRENCY: intBetween(RELAY_DEFAULTS.concurrency, 1, 256),
  /** Passes at once; each holds one database connection, for every relay running. */
  RELAY_PARALLEL_PASSES: intBetween(RELAY_DEFAULTS.parallelPasses, 1, 8),
  /**
   * At least 30 s: a relay starts no request in the last third of its lease
   * (at most 10 s), and a request may take 6 s (connect 1 s, answer 5 s).
   */
  RELAY_LEASE_MS: intBetween(RELAY_DEFAULTS.leaseMs, 30_000, 60 * 60_000),
  RELAY_MAX_ATTEMPTS: positiveInt(RELAY_DEFAULTS.retry.maxAttempts),
  /** Published events older than this are pruned. */
  RELAY_RETENTION_HOURS: positiveInt(RELAY_DEFAULTS.retentionHours),
  /** Idempotency keys older than this are forgotten; at least a day, so client retries are covered. */
  IDEMPOTENCY_RETENTION_HOURS: intBetween(24 * 7, 24, 24 * 365),
  /**
   * Time kept back from the Lambda's deadline: a request that starts just
   * before it may take 6 s, then its events are marked and metrics flushed.
   */
  RELAY_SAFETY_MARGIN_MS: positiveInt(RELAY_DEFAULTS.safetyMarginMs),
  /**
   * An idle relay polls after RELAY_MIN_POLL_MS, doubling up to
   * RELAY_MAX_POLL_MS: the fallback for missed notifications, and what finds
   * events that become due for a retry (nobody announces those).
   */
  RELAY_MIN_POLL_MS: intBetween(RELAY_DEFAULTS.minPollMs, 1, 60_000),
  RELAY_MAX_POLL_MS: intBetween(RELAY_DEFAULTS.maxPollMs, 1, 60_000),
  /**
   * `off` leaves the relay Lambda to its polling alone: no LISTEN connection,
   * events wait up to a poll interval (2 s) when it is idle.
   */
  RELAY_LISTEN: z._default(z.enum(['on', 'off']), 'on'),
  /**
   * Where the LISTEN connection goes (`host` or `host:port`), e.g. the
   * instance's own endpoint instead of RDS Proxy, which pins the session
   * that runs LISTEN. Role, password and database stay the relay's own.
   */
  RELAY_LISTEN_HOST: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be host or host:port')),
  ),
});

const linkedBusSchema = z.object({ name: z.string().check(z.minLength(1)) });

export type RelayConfig = ReturnType<typeof relayConfigFromEnv>;

/**
 * The relay's settings from the environment. The bus is the linked SST
 * resource (`SST_RESOURCE_Bus`, JSON with `name`) or EVENT_BUS_NAME.
 * Throws with every invalid variable named.
 */
export function relayConfigFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid relay configuration: ${describeEnvError(parsed.error)}`);
  }
  const vars = parsed.data;
  const busName = vars.SST_RESOURCE_Bus
    ? linkedBusName(vars.SST_RESOURCE_Bus)
    : vars.EVENT_BUS_NAME;
  if (!busName) throw new Error('No event bus configured: link the Bus or set EVENT_BUS_NAME.');
  return {
    busName,
    endpoint: vars.EVENTBRIDGE_ENDPOINT,
    batchSize: vars.RELAY_BATCH_SIZE,
    concurrency: vars.RELAY_CONCURRENCY,
    parallelPasses: vars.RELAY_PARALLEL_PASSES,
    leaseMs: vars.RELAY_LEASE_MS,
    maxAttempts: vars.RELAY_MAX_ATTEMPTS,
    retentionMs: vars.RELAY_RETENTION_HOURS * 3_600_000,
    idempotencyRetentionMs: vars.IDEMPOTENCY_RETENTION_HOURS * 3_600_000,
    safetyMarginMs: vars.RELAY_SAFETY_MARGIN_MS,
    minPollMs: Math.min(vars.RELAY_MIN_POLL_MS, vars.RELAY_MAX_POLL_MS),
    maxPollMs: vars.RELAY_MAX_POLL_MS,
    listen: vars.RELAY_LISTEN === 'on',
    listenHost: vars.RELAY_LISTEN_HOST,
  };
}

function linkedBusName(json: string): string {
  const parsed = linkedBusSchema.safeParse(parseJsonVariable('SST_RESOURCE_Bus', json));
  if (!parsed.success) {
    throw new Error(
      `Invalid relay configuration: SST_RESOURCE_Bus ${describeEnvError(parsed.error)}`,
    );
  }
  return parsed.data.name;
}
