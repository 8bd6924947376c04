import { DEFAULT_CONNECT_TIMEOUT_MS } from '@auditflow/db';
import pg from 'pg';

/** Lets an idle relay sleep until there is work, or until a timeout. */
export interface WakeSignal {
  /** Wakes a waiting relay now (after a commit in this process, or a notification). */
  nudge(): void;
  /** Resolves after `ms`, or sooner when nudged. A nudge while awake is kept for the next wait. */
  wait(ms: number): Promise<void>;
}

export function createWakeSignal(): WakeSignal {
  let pending = false;
  let wakeUp: (() => void) | undefined;
  return {
    nudge() {
      if (wakeUp) wakeUp();
      else pending = true;
    },
    wait(ms) {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
      });
    },
  };
}

export interface ListenOptions {
  /** Called once when the connection is lost (not once per failed reconnect). */
  onLost?: (error: unknown) => void;
  /** Called when listening again after a loss. */
  onRestored?: () => void;
  /** Milliseconds before the first reconnect; doubles per failure up to 30 s. */
  retryDelayMs?: number;
}

/**
 * LISTENs for the outbox trigger's notification, which Postgres delivers when
 * a transaction that wrote outbox rows commits, and nudges the relay. A lost
 * connection (restart, failover) is opened again with backoff, and the relay
 * is nudged once it is back, for the commits it could not hear meanwhile;
 * until then the relay's polling carries delivery. Resolves once listening
 * (the first connection must succeed); returns a function that stops.
 */
export async function listenForCommits(
  connectionString: string,
  signal: WakeSignal,
  options: ListenOptions = {},
): Promise<() => Promise<void>> {
  const firstDelayMs = options.retryDelayMs ?? 1_000;
  let stopped = false;
  let current: pg.Client | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;

  async function connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString,
      application_name: 'auditflow-relay-listen',
      // A reconnect against a server that hangs must fail and be tried again.
      connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    client.on('notification', () => signal.nudge());
    try {
      await client.connect();
      await client.query('LISTEN outbox_pending');
    } catch (error) {
      client.on('error', () => {});
      await client.end().catch(() => {});
      throw error;
    }
    return client;
  }

  function watch(client: pg.Client): void {
    current = client;
    let lost = false;
    const onLoss = (error: unknown) => {
      if (lost || stopped) return;
      lost = true;
      current = undefined;
      options.onLost?.(error);
      client.end().catch(() => {});
      reconnect(firstDelayMs);
    };
    client.on('error', onLoss);
    client.on('end', () => onLoss(new Error('notification connection ended')));
  }

  function reconnect(delayMs: number): void {
    retry = setTimeout(async () => {
      if (stopped) return;
      try {
        const client = await connect();
        if (stopped) {
          await client.end().catch(() => {});
          return;
        }
        watch(client);
        options.onRestored?.();
        signal.nudge();
      } catch {
        reconnect(Math.min(delayMs * 2, 30_000));
      }
    }, delayMs);
  }

  watch(await connect());
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await current?.end().catch(() => {});
  };
}
