import { setTimeout as sleep } from 'node:timers/promises';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '@auditflow/db/embedded';

export interface SupervisorOptions {
  dataDir: string;
  /** 0 picks a free port on the first start; restarts keep the port it got. */
  port: number;
  /** Where the supervisor says what happened to the server. */
  log: (message: string) => void;
  /** Called once when the server cannot be brought back; the stack is then useless. */
  onGiveUp: (error: Error) => void;
  /** Failed starts in a row before giving up. */
  maxAttempts?: number;
  /** Wait before the first restart; doubles per failure, up to 8 s. */
  firstDelayMs?: number;
}

export interface SupervisedPostgres {
  url: string;
  port: number;
  /** Stops the server and any restart under way. */
  stop(): Promise<void>;
}

/** A server that dies sooner than this after starting counts as a failed start. */
const STEADY_MS = 10_000;

/**
 * The local stack's embedded Postgres, kept running: when the server dies
 * (killed, crashed) it says so and starts it again on the same data
 * directory and port, with backoff, so everything connected to it reconnects
 * by itself. After `maxAttempts` failed starts in a row (a server that dies
 * again within seconds counts as one) it gives up, says why, and calls
 * `onGiveUp`.
 */
export async function superviseEmbeddedPostgres(
  options: SupervisorOptions,
): Promise<SupervisedPostgres> {
  const maxAttempts = options.maxAttempts ?? 5;
  const firstDelayMs = options.firstDelayMs ?? 500;
  const start = (port: number) =>
    startEmbeddedPostgres({ dataDir: options.dataDir, port, persistent: true });
  let current: EmbeddedDatabase | undefined = await start(options.port);
  const { port, url } = current;
  let stopping = false;
  let failures = 0;

  function watch(server: EmbeddedDatabase): void {
    const startedAt = Date.now();
    server.exited.then(({ code, signal }) => {
      if (stopping || current !== server) return;
      current = undefined;
      failures = Date.now() - startedAt < STEADY_MS ? failures + 1 : 0;
      options.log(
        `Postgres exited unexpectedly (${signal ?? `exit code ${code}`}); starting it again on ${options.dataDir}`,
      );
      void restart();
    });
  }

  async function restart(): Promise<void> {
    let lastError: unknown;
    while (!stopping && failures < maxAttempts) {
      await sleep(Math.min(firstDelayMs * 2 ** failures, 8_000));
      if (stopping) return;
      try {
        const server = await start(port);
        if (stopping) {
          await server.stop();
          return;
        }
        current = server;
        watch(server);
        options.log(`Postgres is running again on port ${port}`);
        return;
      } catch (error) {
        failures++;
        lastError = error;
        options.log(
          `Postgres did not start (attempt ${failures} of ${maxAttempts}): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    if (stopping) return;
    const reason = lastError instanceof Error ? lastError.message : 'it kept exiting';
    options.onGiveUp(
      new Error(
        `Postgres could not be kept running on ${options.dataDir} after ${maxAttempts} attempts (${reason}). Fix the cause and run npm start again.`,
      ),
    );
  }

  watch(current);
  return {
    url,
    port,
    async stop() {
      stopping = true;
      await current?.stop();
    },
  };
}
