/**
 * The local EventBridge endpoint in a process of its own, driven over IPC by
 * bench/endpoint.ts. It keeps only counts: which event ids it accepted (a
 * redelivery is counted once) and how many requests it answered.
 */
import { startEventBridgeEndpoint } from '@auditflow/local';

type Command = { type: 'configure'; latencyMs: number } | { type: 'stats' } | { type: 'close' };

const endpoint = await startEventBridgeEndpoint();
const seen = new Set<string>();
endpoint.onAccepted((batch) => {
  for (const event of batch) seen.add((event.detail as { id: string }).id);
  // The endpoint keeps every accepted event for tests; a backlog of 100,000 needs only ids.
  endpoint.accepted.length = 0;
});

const send = (message: unknown) => process.send?.(message);
process.on('message', async (command: Command) => {
  if (command.type === 'configure') {
    endpoint.reset();
    seen.clear();
    endpoint.faults.latencyMs = command.latencyMs;
    send({ type: 'configured' });
  } else if (command.type === 'stats') {
    send({ type: 'stats', accepted: seen.size, requests: endpoint.requestCount() });
  } else if (command.type === 'close') {
    await endpoint.close();
    send({ type: 'closed' });
    process.disconnect();
  }
});
send({ type: 'ready', url: endpoint.url });
