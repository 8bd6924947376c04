export { type ApiHandler, type ApiResult, apiHandler, json } from './api-handler';
export { authorizedPrincipal, grantedScopes } from './authorize';
export { logger } from './logger';
export { problemResponse } from './problem';
export {
  type ApiEvent,
  correlationIdOf,
  expectedVersionOf,
  idempotencyKeyOf,
  MAX_BODY_BYTES,
  parseBody,
  parsePath,
  parseQuery,
  pathId,
  verifiedPrincipal,
} from './request';
export { commandRoute, createRoute, itemRoute, queryRoute, resourceQueryRoute } from './routes';
