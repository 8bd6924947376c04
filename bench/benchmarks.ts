import { auditChain } from './audit-chain';
import { coldStart } from './cold-start';
import { consolePages } from './console-pages';
import type { Benchmark } from './harness';
import { history } from './history';
import { latency } from './latency';
import { latencyLambda } from './latency-lambda';
import { ledger } from './ledger';
import { recovery } from './recovery';
import { relayDrain } from './relay-drain';
import { rowLevelSecurity } from './row-level-security';
import { writePath } from './write-path';

/** Every benchmark, in the order `npm run bench` runs them. */
// biome-ignore lint/suspicious/noExplicitAny: each benchmark has its own config type
export const benchmarks: Benchmark<any>[] = [
  writePath,
  relayDrain,
  rowLevelSecurity,
  ledger,
  auditChain,
  latency,
  latencyLambda,
  history,
  coldStart,
  recovery,
  consolePages,
];
