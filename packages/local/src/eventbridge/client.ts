import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/**
 * The real EventBridge client pointed at a local endpoint. The credentials
 * are placeholders (the endpoint does not check signatures). The SDK's own
 * retries are off: the relay retries per event, with backoff, in the outbox.
 */
export function localEventBridgeClient(
  endpoint: string,
  requestTimeoutMs = 5_000,
): EventBridgeClient {
  return new EventBridgeClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    // Without throwOnRequestTimeout the SDK only warns and waits on a hung request.
    requestHandler: {
      requestTimeout: requestTimeoutMs,
      connectionTimeout: 1_000,
      throwOnRequestTimeout: true,
    },
  });
}
