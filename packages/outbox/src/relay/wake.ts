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

/**
 * LISTENs for the outbox trigger's notification, which Postgres delivers when
 * a transaction that wrote outbox rows commits, and nudges the relay. Returns
 * a function that stops listening. Connection errors are reported and the
 * relay falls back to polling.
 */
export async function listenForCommits(
  connectionString: string,
  signal: WakeSignal,
  onError: (error: unknown) => void = () => {},
): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString, application_name: 'auditflow-relay-listen' });
  client.on('error', onError);
  client.on('notification', () => signal.nudge());
  await client.connect();
  await client.query('LISTEN outbox_pending');
  return () => client.end().catch(onError);
}
