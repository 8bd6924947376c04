import { createDb, isDatabaseUnavailable } from '@auditflow/db';
import { oldestPendingAgeMs } from '@auditflow/operator';
import {
  createEventBridgeClient,
  createRelay,
  type PassResult,
  powertoolsTelemetry,
  prunePublished,
  RELAY_DEFAULTS,
  relayConfigFromEnv,
} from '@auditflow/relay';
import { pruneIdempotencyKeys } from '@auditflow/write-unit';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';

const logger = new Logger({ serviceName: 'auditflow-relay' });
const metrics = new Metrics({ namespace: 'auditflow', serviceName: 'auditflow-relay' });

function build() {
  const config = relayConfigFromEnv();
  // One connection per parallel pass, so no pass waits for another's.
  // Short timeouts: a claim is one quick transaction, and a relay that dies
  // mid-transaction must not keep its locks until some default expires.
  const db = createDb({
    max: config.parallelPasses,
    applicationName: 'auditflow-relay',
    statementTimeoutMs: 10_000,
    idleInTransactionTimeoutMs: 5_000,
  });
  const relay = createRelay({
    db,
    client: createEventBridgeClient({ endpoint: config.endpoint }),
    busName: config.busName,
    batchSize: config.batchSize,
    concurrency: config.concurrency,
    parallelPasses: config.parallelPasses,
    leaseMs: config.leaseMs,
    retry: { ...RELAY_DEFAULTS.retry, maxAttempts: config.maxAttempts },
    telemetry: powertoolsTelemetry(logger, metrics),
  });
  return { config, db, relay };
}

let runtime: ReturnType<typeof build> | undefined;

/**
 * One scheduled invocation: prune old published events, then drain until the
 * Lambda's deadline (minus a margin), polling with backoff while idle, so one
 * invocation covers the minute until the next. Concurrent invocations are
 * safe: claims skip each other's rows.
 */
export async function runScheduledRelay(_event: unknown, context: Context): Promise<PassResult> {
  runtime ??= build();
  const { config, db, relay } = runtime;
  // Retention must never stand in the way of delivery: a failed prune is
  // reported and the drain goes on. The relay runs every minute, so it also
  // forgets old idempotency keys, a bounded batch at a time.
  const prunes = [
    [
      'published events',
      () => prunePublished(db, { olderThanMs: config.retentionMs, limit: 10_000 }),
    ],
    [
      'idempotency keys',
      () => pruneIdempotencyKeys(db, { olderThanMs: config.idempotencyRetentionMs, limit: 10_000 }),
    ],
  ] as const;
  for (const [what, prune] of prunes) {
    try {
      const pruned = await prune();
      if (pruned > 0) logger.info(`pruned ${what}`, { pruned });
    } catch (error) {
      // A database that is down is the drain's to report, once per outage.
      if (isDatabaseUnavailable(error)) break;
      logger.warn(`pruning ${what} failed; will try again next invocation`, {
        error: String(error),
      });
    }
  }
  const until = Date.now() + context.getRemainingTimeInMillis() - config.safetyMarginMs;
  // Throws when the database stayed away until the deadline: the invocation
  // then fails, as it should, and the next one (a minute on) carries on.
  const result = await relay.drain({ until, whenIdle: 'wait' });
  try {
    metrics.addMetric('OldestPendingAgeMs', 'Milliseconds', await oldestPendingAgeMs(db));
  } catch (error) {
    // What was delivered stays delivered; a metric is not worth failing for.
    if (!isDatabaseUnavailable(error)) throw error;
  }
  logger.info('relay invocation done', { ...result });
  return result;
}

/**
 * Invoked every minute by EventBridge Scheduler: drains the outbox to the bus,
 * with Powertools logging and metrics around runScheduledRelay.
 */
export const handler = middy<ScheduledEvent, PassResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(runScheduledRelay);
