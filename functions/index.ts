export { BUSINESS_SCOPES, SCOPES, type Scope } from './api/scopes';
export { loadHandler, parseHandler } from './handler-reference';
export { prepareDatabase } from './prepare-database';
export { pruneRound } from './relay/housekeeping';
export {
  deployedHandlers,
  MIGRATOR_HANDLER,
  RELAY_HANDLER,
  type RouteDefinition,
  routes,
  type Subscription,
  subscriptions,
} from './wiring';
