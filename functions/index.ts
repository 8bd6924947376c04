export { loadHandler, parseHandler } from './handler-reference';
export {
  deployedHandlers,
  MIGRATOR_HANDLER,
  RELAY_HANDLER,
  type RouteDefinition,
  routes,
  type Subscription,
  subscriptions,
} from './wiring';
