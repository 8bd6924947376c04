import { EventBridgeClient, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';

/**
 * The EventBridge client the relay publishes with. The SDK's own retries are
 * off (the relay retries per event, with backoff, through the outbox) and a
 * hung request fails after `requestTimeoutMs` instead of holding a lease.
 */
export function createEventBridgeClient(
  options: {
    endpoint?: string | undefined;
    requestTimeoutMs?: number;
  } & Pick<EventBridgeClientConfig, 'region' | 'credentials'> = {},
): EventBridgeClient {
  return new EventBridgeClient({
    ...(options.endpoint && { endpoint: options.endpoint }),
    ...(options.region && { region: options.region }),
    ...(options.credentials && { credentials: options.credentials }),
    maxAttempts: 1,
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? 5_000,
      connectionTimeout: 1_000,
      // Without it the SDK only warns about a request past its timeout, and waits.
      throwOnRequestTimeout: true,
    },
  });
}
