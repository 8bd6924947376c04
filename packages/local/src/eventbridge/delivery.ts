import { setTimeout as sleep } from 'node:timers/promises';
import { type DB, isDatabaseUnavailable } from '@auditflow/db';
import { loadHandler, type Subscription } from '@auditflow/functions';
import { recordDeadLetter } from '@auditflow/subscriber';
import type { Kysely } from 'kysely';
import { lambdaContext } from '../lambda-context';
import type { AcceptedEvent } from './endpoint';
import { type EventBridgeTargetEvent, matchesPattern } from './pattern';

type TargetHandler = (event: EventBridgeTargetEvent, context: unknown) => Promise<unknown>;

export interface DeliveryOptions {
  subscriptions: readonly Subscription[];
  /** Repository root, against which handler paths resolve. */
  root: string;
  /** Where deliveries that keep failing are kept (the local dead-letter queue). */
  db: Kysely<DB>;
  attempts?: number;
  retryDelayMs?: number;
  onError?: (message: string, attributes: Record<string, unknown>) => void;
}

/**
 * Delivers accepted events to the subscriptions whose pattern they match, as
 * EventBridge would: the target event shape, at least once, retried with
 * backoff when the handler throws, and after the last attempt kept as a dead
 * letter (`npm run outbox -- subscriber-dead`). A handler that fails because
 * the database is unavailable is retried until it is back, not dead-lettered.
 * Each subscription gets its events one at a time, in the order they were
 * accepted.
 */
export function createDelivery(options: DeliveryOptions) {
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const handlers = new Map<string, Promise<TargetHandler>>();
  const queues = new Map<string, Promise<void>>();
  let closing = false;

  const load = (handler: string) => {
    let loaded = handlers.get(handler);
    if (!loaded) {
      loaded = loadHandler<TargetHandler>(handler, options.root);
      handlers.set(handler, loaded);
    }
    return loaded;
  };

  async function deliverOne(subscription: Subscription, event: EventBridgeTargetEvent) {
    let lastError: unknown;
    let outageDelayMs = retryDelayMs;
    for (let attempt = 1; attempt <= attempts; ) {
      try {
        const handler = await load(subscription.handler);
        await handler(event, lambdaContext(subscription.name));
        return;
      } catch (error) {
        lastError = error;
        // EventBridge retries a target for up to a day, so a subscriber whose
        // database is away is retried until it is back (at most every 2 s);
        // the outage uses up none of the attempts that lead to the dead letters.
        if (isDatabaseUnavailable(error) && !closing) {
          await sleep(outageDelayMs);
          outageDelayMs = Math.min(outageDelayMs * 2, 2_000);
          continue;
        }
        if (attempt < attempts) await sleep(retryDelayMs * 2 ** (attempt - 1));
        attempt++;
      }
    }
    if (isDatabaseUnavailable(lastError)) {
      // Stopping with the database away: nowhere to keep it. It stays
      // published in the outbox, so a replay delivers it again.
      options.onError?.('delivery abandoned: the database is unavailable', {
        subscriber: subscription.name,
        eventId: (event.detail as { id?: string } | null)?.id ?? null,
      });
      return;
    }
    const reason = `delivery failed after ${attempts} attempts: ${
      lastError instanceof Error ? lastError.message : String(lastError)
    }`;
    options.onError?.('delivery dead-lettered', { subscriber: subscription.name, reason });
    await recordDeadLetter(options.db, {
      subscriber: subscription.name,
      eventId: (event.detail as { id?: string } | null)?.id ?? null,
      detailType: event['detail-type'],
      event,
      reason,
    }).catch(() => {});
  }

  return {
    /** Queues the events for every matching subscription. */
    deliver(accepted: AcceptedEvent[]) {
      for (const item of accepted) {
        const event = toTargetEvent(item);
        for (const subscription of options.subscriptions) {
          if (!matchesPattern(subscription.pattern, event)) continue;
          const queue = queues.get(subscription.name) ?? Promise.resolve();
          queues.set(
            subscription.name,
            queue.then(() => deliverOne(subscription, event)),
          );
        }
      }
    },
    /**
     * From now on, a delivery failing for want of a database gives up after
     * its attempts instead of waiting for the database (the stack is stopping).
     */
    close() {
      closing = true;
    },
    /** Resolves when everything queued so far was delivered or dead-lettered. */
    async idle() {
      let before: Promise<void>[];
      do {
        before = [...queues.values()];
        await Promise.all(before);
      } while ([...queues.values()].some((queue, index) => queue !== before[index]));
    },
  };
}

export function toTargetEvent(event: AcceptedEvent): EventBridgeTargetEvent {
  return {
    version: '0',
    id: event.eventId,
    'detail-type': event.detailType,
    source: event.source,
    account: '000000000000',
    time: event.time ?? new Date(event.receivedAt).toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: event.detail,
  };
}
