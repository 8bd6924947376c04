/**
 * One execution environment of the relay Lambda, driven over IPC by
 * bench/relay-lambda.ts: it invokes functions/relay/handler, the
 * middy-wrapped export that deploys, with a scheduled event and a Lambda
 * context counting down to its deadline, back to back as a warm environment
 * takes the next minute's invocation. Its configuration is the environment
 * it was started with, as in Lambda. Reports on request its own CPU time and
 * the statements it has sent.
 */
import { lambdaContext, scheduledEvent } from '@auditflow/local';
import pg from 'pg';
import { handler } from '../functions/relay/handler';

// Every statement the handler sends (pool and listener alike: both are
// pg Clients), counted on the way out; the handler itself is untouched.
let queries = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  queries++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

type Command = { type: 'usage' } | { type: 'stop' };

const timeoutMs = Number(process.env.BENCH_RELAY_TIMEOUT_MS ?? 70_000);
let failures = 0;

process.on('message', (command: Command) => {
  if (command.type === 'usage') {
    const { user, system } = process.cpuUsage();
    process.send?.({ type: 'usage', cpuMs: (user + system) / 1000, queries, failures });
  } else {
    // An environment is shut down between invocations or in one; either way,
    // whatever it leased goes back when the lease ends.
    process.exit(0);
  }
});
process.send?.({ type: 'ready' });

while (process.connected) {
  try {
    await handler(scheduledEvent(), lambdaContext('auditflow-relay', timeoutMs));
  } catch {
    failures++;
  }
}
