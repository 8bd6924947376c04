import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

export interface RelayUsage {
  cpuMs: number;
  queries: number;
  /** Invocations that failed. */
  failures: number;
}

export interface RelayLambdaProcess {
  /** So far: CPU time (user + system) in milliseconds, and statements sent to Postgres. */
  usage(): Promise<RelayUsage>;
  stop(): Promise<void>;
}

/**
 * Starts the relay Lambda in a process of its own (bench/relay-lambda-child.ts)
 * with `env` as its configuration, so its CPU time is its own and each
 * variant loads the handler from scratch, as a new execution environment does.
 */
export async function startRelayLambda(env: Record<string, string>): Promise<RelayLambdaProcess> {
  const child = fork(path.join(import.meta.dirname, 'relay-lambda-child.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      // Every published event is an INFO line, and metrics are EMF lines on stdout.
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await reply(child, 'ready');
  return {
    usage: async () => {
      child.send({ type: 'usage' });
      return (await reply(child, 'usage')) as RelayUsage;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

function reply(child: ChildProcess, type: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`relay Lambda process exited with ${code}`));
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
