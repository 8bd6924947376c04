import { eventCatalogue, SUBSCRIBERS } from '@auditflow/events';
import { deployedHandlers, loadHandler, routes, subscriptions } from '@auditflow/functions';
import { type EventBridgeTargetEvent, lambdaContext, matchesPattern } from '@auditflow/local';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

/** An EventBridge target event of a given source and detail type, with an envelope-shaped detail. */
function targetEvent(source: string, detailType: string): EventBridgeTargetEvent {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: { id: crypto.randomUUID(), type: detailType },
  };
}

describe('the wiring', () => {
  it('names, for every deployed Lambda, a module that exports that handler function', async () => {
    const handlers = deployedHandlers();
    expect(handlers.length).toBe(routes.length + 2 + subscriptions.length);
    for (const handler of handlers) {
      await expect(loadHandler(handler), handler).resolves.toBeTypeOf('function');
    }
  });

  it('wires every declared subscriber once, to the entry point of its own name', async () => {
    expect(subscriptions.map((s) => s.name).sort()).toEqual(
      Object.values(SUBSCRIBERS)
        .map((s) => s.name)
        .sort(),
    );
    for (const subscription of subscriptions) {
      // An event type the subscriber does not consume is dead-lettered under
      // the name the handler itself was built with: that name must be the
      // subscription's, or inbox rows and dead letters would be filed apart.
      const handler = await loadHandler<(event: unknown, context: unknown) => Promise<unknown>>(
        subscription.handler,
      );
      await handler(targetEvent('auditflow.wiring', 'wiring.unknown.v1'), lambdaContext('wiring'));
      const { rows } = await database.sql(
        `SELECT subscriber FROM subscriber_dead_letters WHERE detail_type = 'wiring.unknown.v1'
          ORDER BY id DESC LIMIT 1`,
      );
      expect(rows[0]?.subscriber, subscription.handler).toBe(subscription.name);
    }
  });

  it('gives each subscriber a bus pattern that matches exactly the event types it declares', () => {
    for (const declared of Object.values(SUBSCRIBERS)) {
      const subscription = subscriptions.find((s) => s.name === declared.name);
      expect(subscription, declared.name).toBeDefined();
      for (const type of Object.keys(eventCatalogue)) {
        const event = targetEvent(`auditflow.${type.split('.')[0]}`, type);
        expect(matchesPattern(subscription?.pattern ?? {}, event), `${declared.name} ${type}`).toBe(
          (declared.eventTypes as readonly string[]).includes(type),
        );
      }
    }
  });

  it('routes each method and path once', () => {
    const keys = routes.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
