import { describeEnvError } from '@auditflow/db';
import * as z from 'zod/mini';

const positiveInt = (fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

const envSchema = z.object({
  EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
  SST_RESOURCE_Bus: z.optional(z.string()),
  EVENTBRIDGE_ENDPOINT: z.optional(z.url()),
  RELAY_BATCH_SIZE: positiveInt(500),
  /** PutEvents requests in flight at once, shared by the passes. */
  RELAY_CONCURRENCY: positiveInt(16),
  /** Passes at once; each takes one database connection while it claims or marks. */
  RELAY_PARALLEL_PASSES: positiveInt(3),
  RELAY_LEASE_MS: positiveInt(60_000),
  RELAY_MAX_ATTEMPTS: positiveInt(10),
  /** Published events older than this are pruned. */
  RELAY_RETENTION_HOURS: positiveInt(24 * 7),
  /** Time kept back from the Lambda's deadline to finish a pass and flush metrics. */
  RELAY_SAFETY_MARGIN_MS: positiveInt(5_000),
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
    safetyMarginMs: vars.RELAY_SAFETY_MARGIN_MS,
  };
}

function linkedBusName(json: string): string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('Invalid relay configuration: SST_RESOURCE_Bus is not JSON.');
  }
  const parsed = linkedBusSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `Invalid relay configuration: SST_RESOURCE_Bus ${describeEnvError(parsed.error)}`,
    );
  }
  return parsed.data.name;
}
