/**
 * One execution environment of the relay Lambda, driven over IPC by
 * bench/relay-lambda.ts: it invokes functions/relay/handler, the
 * middy-wrapped export that deploys, with a scheduled event and a Lambda
 * context counting down to its deadline, back to back as a warm environment
 * takes the next minute's invocation. Its configuration is the environment
 * it was started with, as in Lambda. Reports its own CPU time on request.
 */
import { lambdaContext, scheduledEvent } from '@auditflow/local';
import { handler } from '../functions/relay/handler';

type Command = { type: 'cpu' } | { type: 'stop' };

const timeoutMs = Number(process.env.BENCH_RELAY_TIMEOUT_MS ?? 70_000);
let failures = 0;

process.on('message', (command: Command) => {
  if (command.type === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ type: 'cpu', cpuMs: (user + system) / 1000, failures });
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
