import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

export interface EndpointStats {
  /** Distinct event ids accepted since the last `configure`. */
  accepted: number;
  /** PutEvents requests answered since the last `configure`. */
  requests: number;
}

export interface RemoteEndpoint {
  url: string;
  /** Forgets what was accepted and sets the latency added to every PutEvents. */
  configure(latencyMs: number): Promise<void>;
  stats(): Promise<EndpointStats>;
  close(): Promise<void>;
}

/**
 * Starts the local EventBridge endpoint (`startEventBridgeEndpoint`) in a
 * child process. EventBridge is remote in production: in the relay's own
 * process the endpoint would spend the relay's event loop on parsing the
 * requests it sends, which halves what one process can push.
 */
export async function startEndpointProcess(): Promise<RemoteEndpoint> {
  const child = fork(path.join(import.meta.dirname, 'endpoint-child.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`endpoint process exited with ${code}`)));
    child.once('message', (message: { type: string; url: string }) => resolve(message.url));
  });
  child.removeAllListeners('exit');
  return {
    url,
    configure: async (latencyMs) => {
      await request(child, { type: 'configure', latencyMs }, 'configured');
    },
    stats: async () => {
      const reply = (await request(child, { type: 'stats' }, 'stats')) as EndpointStats;
      return { accepted: reply.accepted, requests: reply.requests };
    },
    close: async () => {
      if (!child.connected) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await request(child, { type: 'close' }, 'closed');
      await exited;
    },
  };
}

function request(child: ChildProcess, message: unknown, replyType: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: { type: string }) => {
      if (reply.type !== replyType) return;
      child.off('message', onMessage);
      resolve(reply);
    };
    child.on('message', onMessage);
    child.send(message as object, (error) => {
      if (error) {
        child.off('message', onMessage);
        reject(error);
      }
    });
  });
}
