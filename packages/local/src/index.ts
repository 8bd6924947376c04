export { type IncomingRequest, type JwtClaims, toApiGatewayEvent } from './api-event';
export { localDataDir } from './data-dir';
export {
  createVerifier,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  loadOrCreateKey,
  signDevToken,
} from './dev-jwt';
export { localEventBridgeClient } from './eventbridge/client';
export { createDelivery, type DeliveryOptions, toTargetEvent } from './eventbridge/delivery';
export {
  type AcceptedEvent,
  type EndpointFaults,
  type EventBridgeEndpoint,
  type RequestFault,
  startEventBridgeEndpoint,
} from './eventbridge/endpoint';
export { type EventBridgeTargetEvent, matchesPattern } from './eventbridge/pattern';
export { type GatewayOptions, type GatewayRoute, startGateway } from './gateway';
export { lambdaContext } from './lambda-context';
export { startRelayLoop } from './relay-loop';
export { matchRoute } from './route-match';
export { scheduledEvent } from './scheduled-event';
export { type LocalStackOptions, stackFile, startLocalStack } from './stack';
