import { routes } from './api/routes';
import { subscriptions } from './subscribers/subscriptions';

/**
 * What invokes which entry point, declared once and plain data: sst.config.ts
 * deploys it, the local stack serves it, and the tests and benchmarks call
 * through it.
 */
export { type RouteDefinition, routes } from './api/routes';
export { type Subscription, subscriptions } from './subscribers/subscriptions';

/** Invoked once per deploy, before traffic moves: runs the migrations. */
export const MIGRATOR_HANDLER = 'functions/migrate.handler';

/** Invoked on the relay's schedule: drains the outbox to the bus. */
export const RELAY_HANDLER = 'functions/relay/handler.handler';

/** Every Lambda handler sst.config.ts deploys, each once. */
export function deployedHandlers(): string[] {
  return [
    ...new Set([
      ...routes.map((route) => route.handler),
      MIGRATOR_HANDLER,
      RELAY_HANDLER,
      ...subscriptions.map((subscription) => subscription.handler),
    ]),
  ];
}
