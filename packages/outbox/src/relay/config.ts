import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  EVENT_BUS_NAME: z.string().min(1).optional(),
  SST_RESOURCE_Bus: z.string().optional(),
  EVENTBRIDGE_ENDPOINT: z.url().optional(),
  RELAY_BATCH_SIZE: positiveInt(500),
  RELAY_CONCURRENCY: positiveInt(8),
  RELAY_LEASE_MS: positiveInt(60_000),
  RELAY_MAX_ATTEMPTS: positiveInt(10),
  /** Published events older than this are pruned. */
  RELAY_RETENTION_HOURS: positiveInt(24 * 7),
  /** Time kept back from the Lambda's deadline to finish a pass and flush metrics. */
  RELAY_SAFETY_MARGIN_MS: positiveInt(5_000),
});

export type RelayConfig = ReturnType<typeof relayConfigFromEnv>;

/**
 * The relay's settings from the environment. The bus is the linked SST
 * resource (`SST_RESOURCE_Bus`, JSON with `name`) or EVENT_BUS_NAME.
 * Throws with every invalid variable named.
 */
export function relayConfigFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid relay configuration: ${z.prettifyError(parsed.error)}`);
  }
  const vars = parsed.data;
  const linkedBus = vars.SST_RESOURCE_Bus
    ? z.object({ name: z.string().min(1) }).parse(JSON.parse(vars.SST_RESOURCE_Bus)).name
    : undefined;
  const busName = linkedBus ?? vars.EVENT_BUS_NAME;
  if (!busName) throw new Error('No event bus configured: link the Bus or set EVENT_BUS_NAME.');
  return {
    busName,
    endpoint: vars.EVENTBRIDGE_ENDPOINT,
    batchSize: vars.RELAY_BATCH_SIZE,
    concurrency: vars.RELAY_CONCURRENCY,
    leaseMs: vars.RELAY_LEASE_MS,
    maxAttempts: vars.RELAY_MAX_ATTEMPTS,
    retentionMs: vars.RELAY_RETENTION_HOURS * 3_600_000,
    safetyMarginMs: vars.RELAY_SAFETY_MARGIN_MS,
  };
}
