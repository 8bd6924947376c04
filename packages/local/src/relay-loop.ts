import { sealAuditChain } from '@auditflow/audit';
import { type DB, isDatabaseUnavailable } from '@auditflow/db';
import { pruneRound } from '@auditflow/functions';
import {
  createRelay,
  createWakeSignal,
  listenForCommits,
  powertoolsTelemetry,
  relayConfigFromEnv,
} from '@auditflow/relay';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Kysely } from 'kysely';
import { localEventBridgeClient } from './eventbridge/client';

const logger = new Logger({ serviceName: 'auditflow-relay' });

/** How often the local relay seals the audit chain (the Lambda does so every minute). */
export const LOCAL_SEAL_INTERVAL_MS = 10_000;

/**
 * The relay as the local stack runs it: always on, woken by Postgres
 * notifications on commit, polling with backoff as a safety
 * net. The same relay code as the scheduled Lambda, minus the schedule, and
 * the same prunes, once a minute.
 */
export async function startRelayLoop(options: {
  db: Kysely<DB>;
  databaseUrl: string;
  eventBridgeUrl: string;
  busName: string;
  sealIntervalMs?: number;
}) {
  // The retentions come from the environment, as the Lambda's do.
  const retention = relayConfigFromEnv({ ...process.env, EVENT_BUS_NAME: options.busName });
  const wake = createWakeSignal();
  const relay = createRelay({
    db: options.db,
    client: localEventBridgeClient(options.eventBridgeUrl),
    busName: options.busName,
    telemetry: powertoolsTelemetry(logger),
  });
  const stopListening = await listenForCommits(options.databaseUrl, wake, {
    onLost: (error) =>
      logger.warn('relay notifications lost; polling until they are back', {
        error: String(error),
      }),
    onRestored: () => logger.info('relay notifications restored'),
  });
  const stopped = new AbortController();
  // The per-minute housekeeping below seals too; locally the chain is also
  // sealed every 10 s on a timer of its own, beside the drain, which then
  // sends the checkpoint events, so the local unsealed window is short.
  const sealEvery = options.sealIntervalMs ?? LOCAL_SEAL_INTERVAL_MS;
  let sealing: Promise<void> = Promise.resolve();
  const seal = () => {
    sealing = sealAuditChain(options.db)
      .then((sealed) => {
        if (sealed > 0) {
          logger.info('sealed audit chain rows', { count: sealed });
          wake.nudge();
        }
      })
      .catch((error) => {
        if (!isDatabaseUnavailable(error)) {
          logger.warn('sealing the audit chain failed; will try again', { error: String(error) });
        }
      });
  };
  const sealTimer = setInterval(seal, sealEvery);
  seal();
  const loop = (async () => {
    while (!stopped.signal.aborted) {
      try {
        await pruneRound(options.db, retention, logger);
        await relay.drain({
          until: Date.now() + 60_000,
          whenIdle: 'wait',
          wake,
          maxPollMs: 1_000,
          signal: stopped.signal,
        });
      } catch (error) {
        // The relay reported the outage when it began and waits for its end;
        // a drain that outlived its minute with the database away just goes on.
        if (isDatabaseUnavailable(error)) continue;
        logger.error('relay pass failed; retrying', error instanceof Error ? error : String(error));
        await wake.wait(1_000);
      }
    }
  })();
  return {
    async stop() {
      clearInterval(sealTimer);
      await sealing;
      stopped.abort();
      wake.nudge();
      await loop;
      await stopListening();
    },
  };
}
