import { createEventBridgeClient } from '@auditflow/relay';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** The relay's EventBridge client pointed at a local endpoint; the endpoint checks no signature. */
export function localEventBridgeClient(
  endpoint: string,
  requestTimeoutMs = 5_000,
): EventBridgeClient {
  return createEventBridgeClient({
    endpoint,
    requestTimeoutMs,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}
