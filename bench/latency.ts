import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  loadOrCreateKey,
  localEventBridgeClient,
  signDevToken,
  startLocalStack,
} from '@auditflow/local';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createBenchDatabase, serverVersion, startBenchServer } from './database';
import { type Benchmark, envNumber, ROOT, type Row, round, summarize, target } from './harness';

export interface LatencyConfig {
  writesPerSecond: number;
  /** Measured seconds (BENCH_LATENCY_SECONDS overrides). */
  seconds: number;
  /** Seconds of the same load before measuring. */
  warmupSeconds: number;
  /** One write in this many creates a payroll run; the others move an existing one. */
  createEvery: number;
  /** How long to wait after the last write for its event. */
  settleMs: number;
  /** Direct PutEvents calls timed for the baseline. */
  baselineCalls: number;
}

interface Write {
  sentAt: number;
  returnedAt?: number;
  acceptedAt?: number;
  measured: boolean;
}

/**
 * The stack as `npm start` runs it (embedded Postgres unless a server is
 * given, migrations, EventBridge endpoint, relay loop woken by NOTIFY, the
 * API behind the local gateway), driven over HTTP at a steady rate. Each write carries its own correlation id, which the
 * event carries to the endpoint, so commit and acceptance pair up exactly.
 */
export const latency: Benchmark<LatencyConfig> = {
  name: 'latency',
  description: 'commit -> accepted by the EventBridge endpoint at a steady write rate',
  full: () => ({
    writesPerSecond: 200,
    seconds: envNumber('BENCH_LATENCY_SECONDS', 60),
    warmupSeconds: 5,
    createEvery: 4,
    settleMs: 5_000,
    baselineCalls: 200,
  }),
  smoke: () => ({
    writesPerSecond: 50,
    seconds: 2,
    warmupSeconds: 0.5,
    createEvery: 4,
    settleMs: 2_000,
    baselineCalls: 10,
  }),
  async run(config, context) {
    const startedAt = new Date().toISOString();
    const began = performance.now();
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-bench-stack-'));
    const externalServer =
      context.serverUrl || process.env.BENCH_DATABASE_URL
        ? await startBenchServer(context)
        : undefined;
    const database = externalServer
      ? await createBenchDatabase(externalServer, 'latency')
      : undefined;
    const savedUrl = process.env.DATABASE_URL;
    const stack = await startLocalStack({
      dataDir,
      root: ROOT,
      apiPort: 0,
      databasePort: 0,
      eventBridgePort: 0,
      databaseUrl: database?.url,
      rolePasswords: context.rolePasswords,
      busName: 'auditflow-bench',
    });
    let load: LoadOutcome | undefined;
    let baseline: Summary | undefined;
    let postgres = externalServer?.version ?? 'embedded (npm start)';
    try {
      const key = await loadOrCreateKey(dataDir);
      const token = await signDevToken(key, { tenant: 'bench', sub: 'alice' });
      postgres = externalServer?.version ?? (await serverVersion(stack.databaseUrl));
      baseline = await timeDirectPutEvents(stack.eventBridgeUrl, config.baselineCalls);
      load = await driveWrites(stack, token, config, context.log);
    } finally {
      await stack.stop();
      restore('DATABASE_URL', savedUrl);
      await database?.drop();
      await externalServer?.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
    return {
      startedAt,
      durationMs: performance.now() - began,
      config: {
        ...config,
        postgres,
        stack: 'startLocalStack, as npm start runs it (relay loop woken by NOTIFY)',
        commitTime: 'when the write response reached the client (just after the commit)',
      },
      ...report(load, baseline ?? summarize([]), config),
    };
  },
};

type Summary = ReturnType<typeof summarize>;
type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;

interface LoadOutcome {
  writes: Map<string, Write>;
  errors: number;
  firstError?: string;
  achievedPerSecond: number;
}

/** The floor: a PutEvents round trip to the same endpoint, nothing else. */
async function timeDirectPutEvents(eventBridgeUrl: string, calls: number): Promise<Summary> {
  const client = localEventBridgeClient(eventBridgeUrl);
  const direct: number[] = [];
  try {
    for (let i = 0; i < calls; i++) {
      const started = performance.now();
      await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: 'auditflow-bench',
              Source: 'auditflow.bench',
              DetailType: 'bench.baseline.v1',
              Detail: JSON.stringify({ id: `baseline-${i}` }),
            },
          ],
        }),
      );
      direct.push(performance.now() - started);
    }
  } finally {
    client.destroy();
  }
  return summarize(direct);
}

/**
 * Writes over HTTP at the configured rate, open loop, and records for each
 * when it was sent, when its response came back and when its event reached
 * the endpoint (paired by correlation id).
 */
async function driveWrites(
  stack: LocalStack,
  token: string,
  config: LatencyConfig,
  log: (message: string) => void,
): Promise<LoadOutcome> {
  const writes = new Map<string, Write>();
  const outcome: LoadOutcome = { writes, errors: 0, achievedPerSecond: 0 };
  const unsubscribe = stack.eventBridge.onAccepted((batch) => {
    const now = performance.now();
    for (const event of batch) {
      const id = (event.detail as { correlationId?: string }).correlationId;
      const write = id ? writes.get(id) : undefined;
      if (write && write.acceptedAt === undefined) write.acceptedAt = now;
    }
    // The endpoint keeps every event for tests; this run needs only the times above.
    stack.eventBridge.accepted.length = 0;
  });

  // Runs move DRAFT -> SUBMITTED -> DRAFT (submit, reject) while new ones
  // are created; a run gets its next command only after its last returned.
  const idle: { id: string; status: string }[] = [];
  const post = async (index: number, measured: boolean) => {
    const correlationId = `bench-latency-${index}`;
    const run = index % config.createEvery === 0 ? undefined : idle.shift();
    const write: Write = { sentAt: performance.now(), measured };
    writes.set(correlationId, write);
    const request = nextRequest(run);
    try {
      const response = await fetch(`${stack.apiUrl}${request.path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'x-correlation-id': correlationId,
          ...(request.body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(request.body !== undefined && { body: JSON.stringify(request.body) }),
      });
      const body = (await response.json()) as { id: string; status: string };
      write.returnedAt = performance.now();
      if (!response.ok) throw new Error(`${response.status} ${JSON.stringify(body)}`);
      idle.push({ id: body.id, status: body.status });
    } catch (error) {
      writes.delete(correlationId);
      outcome.errors++;
      outcome.firstError ??= String(error);
      if (run) idle.push(run);
    }
  };

  // Open loop: writes start on schedule whether or not earlier ones returned.
  const intervalMs = 1000 / config.writesPerSecond;
  const warmupWrites = Math.round(config.warmupSeconds * config.writesPerSecond);
  const totalWrites = warmupWrites + Math.round(config.seconds * config.writesPerSecond);
  log(
    `${config.writesPerSecond} writes/s for ${config.warmupSeconds} s warm-up + ${config.seconds} s`,
  );
  const inFlight: Promise<void>[] = [];
  const loadStarted = performance.now();
  let measureStarted = loadStarted;
  let sent = 0;
  while (sent < totalWrites) {
    const due = Math.min(
      totalWrites,
      Math.floor((performance.now() - loadStarted) / intervalMs) + 1,
    );
    while (sent < due) {
      if (sent === warmupWrites) measureStarted = performance.now();
      inFlight.push(post(sent, sent >= warmupWrites));
      sent++;
    }
    await sleep(1);
  }
  const measuredSeconds = (performance.now() - measureStarted) / 1000;
  await Promise.all(inFlight);
  const settleUntil = performance.now() + config.settleMs;
  const waiting = () =>
    [...writes.values()].some((w) => w.returnedAt !== undefined && w.acceptedAt === undefined);
  while (waiting() && performance.now() < settleUntil) await sleep(10);
  unsubscribe();
  const measuredWrites = [...writes.values()].filter((w) => w.measured).length;
  outcome.achievedPerSecond = measuredWrites / measuredSeconds;
  return outcome;
}

/** The next command for an idle run (submit a draft, reject a submitted one), or a new run. */
function nextRequest(run: { id: string; status: string } | undefined): {
  path: string;
  body?: unknown;
} {
  if (!run) {
    return {
      path: '/payroll-runs',
      body: {
        periodStart: '2026-11-01',
        periodEnd: '2026-11-30',
        payDate: '2026-12-01',
        currency: 'EUR',
        grossTotalMinor: 1234500,
        employeeCount: 12,
      },
    };
  }
  return run.status === 'DRAFT'
    ? { path: `/payroll-runs/${run.id}/submit` }
    : {
        path: `/payroll-runs/${run.id}/reject`,
        body: { reason: 'figures do not match the ledger' },
      };
}

/** The table, the raw figures and the targets, each figure against its same-run baseline. */
function report(load: LoadOutcome | undefined, direct: Summary, config: LatencyConfig) {
  const writes = load ? [...load.writes.values()] : [];
  const measured = writes.filter((w) => w.measured && w.returnedAt !== undefined);
  const delivered = measured.filter((w) => w.acceptedAt !== undefined);
  const fromCommit = summarize(
    delivered.map((w) => (w.acceptedAt as number) - (w.returnedAt as number)),
  );
  const fromRequest = summarize(delivered.map((w) => (w.acceptedAt as number) - w.sentAt));
  const writeTime = summarize(measured.map((w) => (w.returnedAt as number) - w.sentAt));
  const achievedPerSecond = load?.achievedPerSecond ?? 0;
  const rows: Row[] = (['p50', 'p95', 'p99'] as const).map((q) => ({
    label: `commit -> accepted ${q}`,
    value: fromCommit[q],
    unit: 'ms',
    baseline: { label: `direct PutEvents ${q}`, value: direct[q] },
    ratio: fromCommit[q] / direct[q],
  }));
  rows.push(
    {
      label: 'request sent -> accepted p99 (upper bound)',
      value: fromRequest.p99,
      unit: 'ms',
      baseline: { label: 'write response p99', value: writeTime.p99 },
      ratio: fromRequest.p99 / writeTime.p99,
    },
    {
      label: 'writes/s achieved',
      value: achievedPerSecond,
      unit: 'writes/s',
      baseline: { label: 'asked', value: config.writesPerSecond },
      ratio: achievedPerSecond / config.writesPerSecond,
    },
  );
  return {
    rows,
    results: [
      {
        writes: measured.length,
        delivered: delivered.length,
        missing: measured.length - delivered.length,
        errors: load?.errors ?? 0,
        ...(load?.firstError && { firstError: load.firstError }),
        achievedWritesPerSecond: round(achievedPerSecond),
        commitToAcceptedMs: rounded(fromCommit),
        requestToAcceptedMs: rounded(fromRequest),
        writeResponseMs: rounded(writeTime),
        directPutEventsMs: rounded(direct),
      },
    ],
    targets: [
      target('commit -> accepted p50 (ms)', fromCommit.p50, '<=', 100),
      target('commit -> accepted p99 (ms)', fromCommit.p99, '<=', 500),
    ],
  };
}

function rounded(summary: ReturnType<typeof summarize>) {
  return Object.fromEntries(
    Object.entries(summary).map(([k, v]) => [k, k === 'count' ? v : round(v)]),
  );
}

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
