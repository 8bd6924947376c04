import {
  atAddress,
  type ConnectionTarget,
  createDb,
  isDatabaseUnavailable,
  resolveConnectionTarget,
} from '@auditflow/db';
import { oldestPendingAgeMs } from '@auditflow/operator';
import {
  createEventBridgeClient,
  createRelay,
  createWakeSignal,
  type PassResult,
  powertoolsTelemetry,
  RELAY_DEFAULTS,
  relayConfigFromEnv,
  startCommitListener,
  type WakeSignal,
} from '@auditflow/relay';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { pruneRound } from './housekeeping';

const logger = new Logger({ serviceName: 'auditflow-relay' });
const metrics = new Metrics({ namespace: 'auditflow', serviceName: 'auditflow-relay' });

function build() {
  const config = relayConfigFromEnv();
  const target = resolveConnectionTarget();
  // One connection per parallel pass, so no pass waits for another's.
  // Short timeouts: a claim is one quick transaction, and a relay that dies
  // mid-transaction must not keep its locks until some default expires.
  const db = createDb({
    target,
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
  // The LISTEN connection logs in as the relay too, wherever it goes.
  const listenTarget = config.listen
    ? config.listenHost
      ? atAddress(target, config.listenHost)
      : target
    : undefined;
  return { config, db, relay, listenTarget };
}

let runtime: ReturnType<typeof build> | undefined;

/**
 * One scheduled invocation: seal the audit chain and prune (published
 * events, idempotency keys, inbox receipts past their retention), then drain until the
 * Lambda's deadline (minus a margin), so one invocation covers the minute
 * until the next. While idle it waits for the outbox's commit notification,
 * and polls with backoff in case one is missed or never comes (an event due
 * for a retry is announced by nobody). Concurrent invocations are safe:
 * claims skip each other's rows.
 */
export async function runScheduledRelay(_event: unknown, context: Context): Promise<PassResult> {
  runtime ??= build();
  const wake = createWakeSignal();
  const stopListening = runtime.listenTarget ? listen(runtime.listenTarget, wake) : undefined;
  try {
    return await prunedAndDrained(runtime, wake, context);
  } finally {
    // Closed before returning: a frozen Lambda would otherwise hold the
    // session (and, behind RDS Proxy, the pinned connection) until it thaws.
    await stopListening?.();
  }
}

/**
 * The invocation's own LISTEN connection, opened alongside the prunes. A
 * relay that cannot listen still delivers, by polling, and says so once.
 */
function listen(target: ConnectionTarget, wake: WakeSignal): () => Promise<void> {
  const listener = startCommitListener(target, wake, {
    onLost: (error) =>
      logger.warn('relay notifications unavailable; polling until they are back', {
        error: error instanceof Error ? error.message : String(error),
      }),
    onRestored: () => logger.info('relay notifications restored'),
  });
  // What committed after the first pass but before LISTEN took effect was
  // announced to nobody: one more pass once listening covers it.
  listener.firstAttempt.then(
    () => wake.nudge(),
    () => {},
  );
  return listener.stop;
}

async function prunedAndDrained(
  { config, db, relay }: ReturnType<typeof build>,
  wake: WakeSignal,
  context: Context,
): Promise<PassResult> {
  await pruneRound(db, config, logger);
  const until = Date.now() + context.getRemainingTimeInMillis() - config.safetyMarginMs;
  // Throws when the database stayed away until the deadline: the invocation
  // then fails, as it should, and the next one (a minute on) carries on.
  const result = await relay.drain({
    until,
    whenIdle: 'wait',
    wake,
    minPollMs: config.minPollMs,
    maxPollMs: config.maxPollMs,
  });
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
