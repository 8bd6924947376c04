import { setTimeout as sleep } from 'node:timers/promises';
import { createDb } from '@auditflow/db';
import { startEventBridgeEndpoint } from '@auditflow/local';
import { timeAuditedWrites, type WriteLoad } from './audited-writes';
import { type BenchDatabase, createBenchDatabase, startBenchServer } from './database';
import { type Benchmark, envNumber, type Row, round, summarize, target } from './harness';
import { type RelayLambdaProcess, startRelayLambda } from './relay-lambda-process';

export interface LatencyLambdaConfig {
  /** Rounds; the variants' order rotates between them, so a noisy minute hits both. */
  rounds: number;
  /** Sparse traffic: one write every `sparseGapMs[0]`..`[1]` ms, for this many seconds a round. */
  sparseSeconds: number;
  sparseGapMs: [number, number];
  /** Steady traffic: this many writes/s for this many seconds a round, after a warm-up. */
  burstPerSecond: number;
  burstSeconds: number;
  warmupSeconds: number;
  /** An idle relay is watched this long, once its polling has backed off. */
  idleSeconds: number;
  idleSettleMs: number;
  /** The Lambda context's timeout (the relay keeps RELAY_SAFETY_MARGIN_MS of it back). */
  invocationTimeoutMs: number;
  safetyMarginMs: number;
  settleMs: number;
}

/** The relay Lambda as it deploys now, and as it deployed before it listened. */
const VARIANTS = {
  listening: { RELAY_LISTEN: 'on' },
  polling: { RELAY_LISTEN: 'off' },
} as const;
type Variant = keyof typeof VARIANTS;
/** Polling often enough to approach the listening relay's latency: idle cost only. */
const POLL_50_MS = { RELAY_LISTEN: 'off', RELAY_MIN_POLL_MS: '50', RELAY_MAX_POLL_MS: '50' };

interface VariantFigures {
  sparse: WriteLoad[];
  burst: WriteLoad[];
  idle: IdleCost[];
}

interface IdleCost {
  queriesPerSecond: number;
  transactionsPerSecond: number;
  cpuMsPerSecond: number;
}

/**
 * commit -> accepted through the relay Lambda exactly as it deploys:
 * functions/relay/handler (middy, Powertools, the scheduled event, a context
 * whose remaining time counts down), invoked back to back in a process of
 * its own with nothing local to wake it, against the listening relay's
 * predecessor (polling alone) in the same run; and what each costs the
 * database and the CPU while idle.
 */
export const latencyLambda: Benchmark<LatencyLambdaConfig> = {
  name: 'latency-lambda',
  description: 'commit -> accepted through the deployed relay handler, listening vs polling',
  full: () => ({
    rounds: 2,
    sparseSeconds: envNumber('BENCH_LATENCY_SECONDS', 60),
    sparseGapMs: [1_000, 5_000],
    burstPerSecond: 200,
    burstSeconds: 20,
    warmupSeconds: 3,
    idleSeconds: 20,
    idleSettleMs: 12_000,
    invocationTimeoutMs: 70_000,
    safetyMarginMs: 10_000,
    settleMs: 5_000,
  }),
  smoke: () => ({
    rounds: 1,
    sparseSeconds: 1,
    sparseGapMs: [100, 300],
    burstPerSecond: 50,
    burstSeconds: 0.5,
    warmupSeconds: 0.2,
    idleSeconds: 0.5,
    idleSettleMs: 200,
    invocationTimeoutMs: 2_500,
    safetyMarginMs: 500,
    settleMs: 3_000,
  }),
  async run(config, context) {
    const startedAt = new Date().toISOString();
    const began = performance.now();
    const server = await startBenchServer(context);
    const database = await createBenchDatabase(server, 'latency_lambda');
    // The writes as the API's role, the relay as its own, as deployed.
    const apiDb = createDb({ target: { connectionString: database.roleUrl('api') }, max: 16 });
    const endpoint = await startEventBridgeEndpoint();
    const relayEnv = {
      DATABASE_URL: database.roleUrl('relay'),
      EVENT_BUS_NAME: 'auditflow-bench',
      EVENTBRIDGE_ENDPOINT: endpoint.url,
      RELAY_SAFETY_MARGIN_MS: String(config.safetyMarginMs),
      BENCH_RELAY_TIMEOUT_MS: String(config.invocationTimeoutMs),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
    };
    const figures: Record<Variant, VariantFigures> = {
      listening: { sparse: [], burst: [], idle: [] },
      polling: { sparse: [], burst: [], idle: [] },
    };
    const poll50: IdleCost[] = [];
    try {
      for (let round = 0; round < config.rounds; round++) {
        const order: Variant[] =
          round % 2 === 0 ? ['listening', 'polling'] : ['polling', 'listening'];
        for (const variant of order) {
          context.log(`round ${round + 1}: ${variant}`);
          const relay = await startRelayLambda({ ...relayEnv, ...VARIANTS[variant] });
          try {
            const tenant = `${variant}-${round}`;
            const [minGap, maxGap] = config.sparseGapMs;
            figures[variant].sparse.push(
              await timeAuditedWrites({
                db: apiDb,
                endpoint,
                tenantId: `${tenant}-sparse`,
                nextDelayMs: () => minGap + Math.random() * (maxGap - minGap),
                durationMs: config.sparseSeconds * 1000,
                warmupMs: 0,
                settleMs: config.settleMs,
              }),
            );
            figures[variant].burst.push(
              await timeAuditedWrites({
                db: apiDb,
                endpoint,
                tenantId: `${tenant}-burst`,
                nextDelayMs: () => 1000 / config.burstPerSecond,
                durationMs: config.burstSeconds * 1000,
                warmupMs: config.warmupSeconds * 1000,
                settleMs: config.settleMs,
              }),
            );
          } finally {
            await relay.stop();
          }
        }
        // Idle, each in a relay of its own, so the window falls inside its first
        // invocation and no invocation's start (polling again from 50 ms) lands in one only.
        for (const variant of order) {
          figures[variant].idle.push(
            await idleCost(database, { ...relayEnv, ...VARIANTS[variant] }, config),
          );
        }
        poll50.push(await idleCost(database, { ...relayEnv, ...POLL_50_MS }, config));
      }
    } finally {
      await endpoint.close();
      await apiDb.destroy();
      await database.drop();
      await server.stop();
    }
    return {
      startedAt,
      durationMs: performance.now() - began,
      config: {
        ...config,
        postgres: server.version,
        relay:
          'functions/relay/handler in a process of its own, invoked back to back with a ScheduledEvent and a counting-down Lambda context',
        variants: {
          listening: 'RELAY_LISTEN=on (as deployed now): LISTEN connection + polling 50 ms..2 s',
          polling: 'RELAY_LISTEN=off (as deployed before): polling 50 ms..2 s',
          poll50: 'RELAY_LISTEN=off, polling every 50 ms (idle cost only)',
        },
        commitTime: 'when the write unit returned, just after the commit',
        idleTransactions: 'pg_stat_database xact_commit + xact_rollback of the database',
      },
      ...report(figures, poll50, config),
    };
  },
};

/**
 * What an idle relay costs once its polling has backed off: the statements
 * it sends per second (counted in its process), the database's transactions
 * per second (nothing else writes to this database meanwhile, but autovacuum
 * may run; the settle outlasts the 10 s within which idle backends report
 * their last writes' statistics, and the counter's own read is subtracted),
 * and the relay process's CPU.
 */
async function idleCost(
  database: BenchDatabase,
  env: Record<string, string>,
  config: LatencyLambdaConfig,
): Promise<IdleCost> {
  const relay = await startRelayLambda(env);
  try {
    return await watchIdle(database, relay, config);
  } finally {
    await relay.stop();
  }
}

async function watchIdle(
  database: BenchDatabase,
  relay: RelayLambdaProcess,
  config: LatencyLambdaConfig,
): Promise<IdleCost> {
  await sleep(config.idleSettleMs);
  const transactions = async () => {
    const { rows } = await database.sql<{ n: string }>(
      `SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`,
    );
    return Number(rows[0]?.n ?? 0);
  };
  const usageBefore = await relay.usage();
  const before = await transactions();
  const started = performance.now();
  await sleep(config.idleSeconds * 1000);
  const after = await transactions();
  const seconds = (performance.now() - started) / 1000;
  const usageAfter = await relay.usage();
  return {
    queriesPerSecond: (usageAfter.queries - usageBefore.queries) / seconds,
    transactionsPerSecond: Math.max(0, after - before - 1) / seconds,
    cpuMsPerSecond: (usageAfter.cpuMs - usageBefore.cpuMs) / seconds,
  };
}

type Summary = ReturnType<typeof summarize>;

function latencies(loads: WriteLoad[]): Summary {
  return summarize(
    loads.flatMap((load) =>
      load.writes.flatMap((w) =>
        w.acceptedAt === undefined ? [] : [w.acceptedAt - w.committedAt],
      ),
    ),
  );
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / (values.length || 1);

/** The table and targets: each listening figure against the polling one of the same run. */
function report(
  figures: Record<Variant, VariantFigures>,
  poll50: IdleCost[],
  config: LatencyLambdaConfig,
) {
  const rows: Row[] = [];
  const targets = [];
  const results: unknown[] = [];
  for (const traffic of ['sparse', 'burst'] as const) {
    const listening = latencies(figures.listening[traffic]);
    const polling = latencies(figures.polling[traffic]);
    const [minGap, maxGap] = config.sparseGapMs;
    const name =
      traffic === 'sparse'
        ? `one write every ${minGap / 1000}-${maxGap / 1000} s`
        : `${config.burstPerSecond} writes/s`;
    for (const q of ['p50', 'p99'] as const) {
      rows.push({
        label: `${name}: commit -> accepted ${q}`,
        value: listening[q],
        unit: 'ms',
        baseline: { label: `polling ${q}`, value: polling[q] },
        ratio: listening[q] / polling[q],
      });
    }
    // How long the writes themselves took: the state of the machine while measuring.
    const writeTime = (variant: Variant) =>
      summarize(
        figures[variant][traffic].flatMap((load) =>
          load.writes.map((w) => w.committedAt - w.startedAt),
        ),
      );
    rows.push({
      label: `${name}: write (to commit) p99`,
      value: writeTime('listening').p99,
      unit: 'ms',
      baseline: { label: 'while polling', value: writeTime('polling').p99 },
      ratio: writeTime('listening').p99 / writeTime('polling').p99,
    });
    targets.push(
      target(`${name}: commit -> accepted p50 (ms)`, listening.p50, '<=', 50),
      target(`${name}: commit -> accepted p99 (ms)`, listening.p99, '<=', 250),
    );
    for (const variant of ['listening', 'polling'] as const) {
      const loads = figures[variant][traffic];
      const writes = loads.reduce((n, load) => n + load.writes.length, 0);
      const delivered = loads.reduce(
        (n, load) => n + load.writes.filter((w) => w.acceptedAt !== undefined).length,
        0,
      );
      const firstError = loads.find((load) => load.firstError)?.firstError;
      results.push({
        variant,
        traffic,
        writes,
        delivered,
        missing: writes - delivered,
        errors: loads.reduce((n, load) => n + load.errors, 0),
        ...(firstError && { firstError }),
        achievedWritesPerSecond: round(mean(loads.map((load) => load.achievedPerSecond))),
        commitToAcceptedMs: rounded(variant === 'listening' ? listening : polling),
        writeMs: rounded(writeTime(variant)),
      });
    }
  }
  const idle = (costs: IdleCost[]) => ({
    queriesPerSecond: mean(costs.map((c) => c.queriesPerSecond)),
    transactionsPerSecond: mean(costs.map((c) => c.transactionsPerSecond)),
    cpuMsPerSecond: mean(costs.map((c) => c.cpuMsPerSecond)),
  });
  const listening = idle(figures.listening.idle);
  const polling = idle(figures.polling.idle);
  const fast = idle(poll50);
  const idleRow = (label: string, key: keyof IdleCost, unit: string): Row => ({
    label: `idle: ${label}`,
    value: listening[key],
    unit,
    baseline: { label: 'polling', value: polling[key] },
    ratio: listening[key] / polling[key],
  });
  rows.push(
    idleRow('relay statements/s', 'queriesPerSecond', '/s'),
    idleRow('database transactions/s', 'transactionsPerSecond', '/s'),
    idleRow('relay CPU', 'cpuMsPerSecond', 'ms/s'),
    {
      label: 'idle: relay statements/s polling every 50 ms',
      value: fast.queriesPerSecond,
      unit: '/s',
      baseline: { label: 'listening', value: listening.queriesPerSecond },
      ratio: fast.queriesPerSecond / listening.queriesPerSecond,
    },
  );
  results.push({ idle: { listening, polling, poll50: fast } });
  return { rows, results, targets };
}

function rounded(summary: Summary) {
  return Object.fromEntries(
    Object.entries(summary).map(([k, v]) => [k, k === 'count' ? v : round(v)]),
  );
}
