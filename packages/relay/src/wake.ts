import { type ConnectionTarget, clientConfig, DEFAULT_CONNECT_TIMEOUT_MS } from '@auditflow/db';
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
  /** Called once when the connection is lost or cannot be opened (not once per failed reconnect). */
  onLost?: (error: unknown) => void;
  /** Called when listening again after a loss. */
  onRestored?: () => void;
  /** Milliseconds before the first reconnect; doubles per failure up to 30 s. */
  retryDelayMs?: number;
}

/** A connection that LISTENs for the outbox trigger's notification and nudges a relay. */
export interface CommitListener {
  /**
   * Settles with the first connection attempt: resolves once listening,
   * rejects with the reason it could not (the listener keeps trying).
   */
  readonly firstAttempt: Promise<void>;
  /** Whether a connection is listening right now. */
  listening(): boolean;
  /** Closes the connection, or the attempt in progress, and stops reconnecting. */
  stop(): Promise<void>;
}

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Opens a dedicated connection (never one from a pool: a pooled connection
 * serves other statements and may be handed to anyone) that LISTENs for the
 * notification Postgres delivers when a transaction that wrote outbox rows
 * commits, and nudges the relay on each. It never throws and never lets a
 * connection error reach the process: a connection that cannot be opened,
 * or is lost (restart, failover, a proxy recycling it), is opened again with
 * backoff, and the relay is nudged once it is back, for the commits it could
 * not hear meanwhile. Until then the relay's polling carries delivery.
 */
export function startCommitListener(
  target: ConnectionTarget | string,
  signal: WakeSignal,
  options: ListenOptions = {},
): CommitListener {
  const firstDelayMs = options.retryDelayMs ?? 1_000;
  const config: pg.ClientConfig = {
    ...clientConfig(typeof target === 'string' ? { connectionString: target } : target),
    application_name: 'auditflow-relay-listen',
    // An attempt against a server that hangs must fail and be tried again.
    connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS,
    // A peer that vanished without closing the socket is noticed by the OS.
    keepAlive: true,
  };
  let stopped = false;
  // The connection being opened or listening; any other one is already given up.
  let current: pg.Client | undefined;
  let listening = false;
  let lost = false;
  let delayMs = firstDelayMs;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  function attempt(): Promise<void> {
    const client = new pg.Client(config);
    current = client;
    // An 'error' event nobody listens to ends the process: this listener is
    // attached before anything on the connection can fail.
    client.on('error', (error) => giveUp(client, error));
    client.on('end', () => giveUp(client, new Error('notification connection ended')));
    client.on('notification', () => signal.nudge());
    const opened = (async () => {
      await client.connect();
      await client.query('LISTEN outbox_pending');
      if (client !== current) throw new Error('stopped while connecting');
      listening = true;
      delayMs = firstDelayMs;
      if (lost) {
        lost = false;
        options.onRestored?.();
        signal.nudge();
      }
    })();
    inFlight = opened.catch((error) => giveUp(client, error));
    return opened;
  }

  /** Drops a failed connection, once, and unless stopped tries again later. */
  function giveUp(client: pg.Client, error: unknown): void {
    if (client !== current) return;
    current = undefined;
    listening = false;
    client.end().catch(() => {});
    if (stopped) return;
    if (!lost) {
      lost = true;
      options.onLost?.(error);
    }
    const wait = delayMs;
    delayMs = Math.min(delayMs * 2, MAX_RETRY_DELAY_MS);
    retry = setTimeout(() => {
      if (!stopped) attempt().catch(() => {});
    }, wait);
  }

  const firstAttempt = attempt();
  // The caller may never look at it; its failure is handled above.
  firstAttempt.catch(() => {});
  return {
    firstAttempt,
    listening: () => listening,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const client = current;
      current = undefined;
      listening = false;
      // Ending a connection still being opened makes its attempt fail at once.
      await client?.end().catch(() => {});
      await inFlight;
    },
  };
}

/**
 * As startCommitListener, for a process that needs notifications from the
 * start: resolves once listening, or throws when the first connection cannot
 * be opened. Returns a function that stops.
 */
export async function listenForCommits(
  target: ConnectionTarget | string,
  signal: WakeSignal,
  options: ListenOptions = {},
): Promise<() => Promise<void>> {
  const listener = startCommitListener(target, signal, options);
  try {
    await listener.firstAttempt;
  } catch (error) {
    await listener.stop();
    throw error;
  }
  return listener.stop;
}
