import type { EventCatalogue } from '@auditflow/core';
import { type DB, getDb } from '@auditflow/db';
import type { WriteBatch, WriteUnit } from '@auditflow/write-unit';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { EventBridgeEnvelope } from '@aws-lambda-powertools/parser/envelopes';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { type Envelope, envelopeSchema } from './envelope-schema';
import { recordDeadLetter, recordInboxEvent } from './inbox';

export type SubscriberOutcome = 'processed' | 'duplicate' | 'dead-lettered';

/** A typed event: `type` and `data` as the catalogue defines them. */
export type SubscribedEvent<C extends EventCatalogue, K extends keyof C & string> = {
  [T in K]: Envelope<z.output<C[T]>> & { type: T };
}[K];

export interface SubscriberOptions<
  C extends EventCatalogue,
  K extends keyof C & string,
  M extends string = never,
> {
  /** Names the subscriber in the inbox, the dead letters and the logs. */
  name: string;
  catalogue: C;
  writeUnit: WriteUnit<C, M>;
  /** The event types it consumes; anything else is dead-lettered. */
  eventTypes: readonly K[];
  logger: Logger;
  /**
   * The effect, inside one transaction with the inbox row: it runs at most
   * once per event, whatever the deliveries.
   */
  handle(event: SubscribedEvent<C, K>, unit: WriteBatch<C, M>): Promise<void>;
  db?: () => Kysely<DB>;
}

/**
 * The Lambda handler of an EventBridge subscriber: Powertools logging with
 * the event's correlation id, the EventBridge envelope and the catalogue's
 * schema for the event type, and the inbox for exactly-once effects.
 *
 * An event that does not parse is not retried (it would fail the same way
 * forever): it goes to the dead letters with the reason. Any other failure
 * throws, so the platform retries the delivery, and the inbox makes the
 * retry safe.
 */
export function createSubscriberHandler<
  C extends EventCatalogue,
  K extends keyof C & string,
  M extends string = never,
>(options: SubscriberOptions<C, K, M>) {
  return middy<EventBridgeEvent<string, unknown>, SubscriberOutcome>()
    .use(injectLambdaContext(options.logger, { resetKeys: true }))
    .handler((event: EventBridgeEvent<string, unknown>, _context: Context) =>
      deliverEvent(options, event),
    );
}

/**
 * One delivery: check the detail-type is subscribed, parse envelope and data,
 * then record the inbox row and apply the effect in one transaction (a
 * duplicate applies nothing). Dead-letters what cannot parse; throws on
 * anything else, so the delivery is retried.
 */
export async function deliverEvent<
  C extends EventCatalogue,
  K extends keyof C & string,
  M extends string = never,
>(options: SubscriberOptions<C, K, M>, raw: unknown): Promise<SubscriberOutcome> {
  const db = options.db ?? getDb;
  const { logger } = options;
  const detailType = (raw as { 'detail-type'?: unknown } | null)?.['detail-type'];
  const deadLetter = async (reason: string, eventId?: string) => {
    logger.error('event dead-lettered', { subscriber: options.name, detailType, reason });
    await recordDeadLetter(db(), {
      subscriber: options.name,
      eventId: eventId ?? null,
      detailType: typeof detailType === 'string' ? detailType : null,
      event: raw,
      reason,
    });
    return 'dead-lettered' as const;
  };
  if (
    typeof detailType !== 'string' ||
    !(options.eventTypes as readonly string[]).includes(detailType)
  ) {
    return deadLetter(`not subscribed to detail-type ${JSON.stringify(detailType)}`);
  }
  const dataSchema = options.catalogue[detailType as K] as z.ZodType;
  const parsed = EventBridgeEnvelope.safeParse(raw, envelopeSchema(dataSchema));
  if (!parsed.success) {
    return deadLetter(`does not match its schema: ${parsed.error.message}`);
  }
  const event = parsed.data as SubscribedEvent<C, K>;
  if (event.type !== detailType) {
    return deadLetter(`detail.type ${event.type} differs from detail-type ${detailType}`, event.id);
  }
  logger.appendKeys({
    correlationId: event.correlationId,
    eventId: event.id,
    eventType: event.type,
  });

  const outcome = await options.writeUnit.batch(db(), async (unit) => {
    // Everything the subscriber reads or writes is the event's tenant's.
    await unit.useTenant(event.tenantId);
    const first = await recordInboxEvent(unit.trx, {
      subscriber: options.name,
      eventId: event.id,
      eventType: event.type,
    });
    if (!first) return 'duplicate' as const;
    await options.handle(event, unit);
    return 'processed' as const;
  });
  logger.info(outcome === 'duplicate' ? 'event already processed' : 'event processed', {
    subscriber: options.name,
  });
  return outcome;
}
