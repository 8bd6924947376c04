import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDb } from '@auditflow/db';
import { localEventBridgeClient } from '@auditflow/local';
import { createRelay, RELAY_DEFAULTS } from '@auditflow/relay';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import pg from 'pg';
import { measureBareSdk, sampleRequest } from './bare-sdk';
import { type BenchDatabase, createBenchDatabase, startBenchServer } from './database';
import { type RemoteEndpoint, startEndpointProcess } from './endpoint';
import {
  type Benchmark,
  coresBusySince,
  machineCpu,
  type Row,
  round,
  type Target,
  target,
} from './harness';
import { seedEvents } from './seed';

export interface RelayDrainConfig {
  /** Backlog per measurement. */
  events: number;
  /** Events per aggregate (created, submitted, approved, paid): per-aggregate order applies. */
  versionsPerAggregate: number;
  latenciesMs: number[];
  relays: number[];
  /** The relay's defaults (createRelay), passed explicitly so the limit can be computed. */
  batchSize: number;
  concurrency: number;
  parallelPasses: number;
  /** Drained once, unmeasured, before the first measurement. */
  warmupEvents: number;
  /** A measurement that has not drained by then fails. */
  timeoutMs: number;
  /** Bare SDK baseline: requests per client = concurrency × this (× 4 at 0 ms). */
  bareSdkRounds: number;
}

export interface DrainOptions {
  events: number;
  versionsPerAggregate: number;
  latencyMs: number;
  relays: number;
  batchSize: number;
  concurrency: number;
  parallelPasses: number;
  timeoutMs: number;
  /** Keep what the outbox holds (the history benchmark); by default published events go first. */
  keepOutbox?: boolean;
}

/** SQL time by statement, summed over relays: count and milliseconds. */
export type SqlTimes = Record<string, { count: number; totalMs: number }>;

export interface DrainMeasurement {
  latencyMs: number;
  relays: number;
  events: number;
  elapsedMs: number;
  eventsPerSecond: number;
  requests: number;
  entriesPerRequest: number;
  /** PutEvents requests a relay can have in flight: its concurrency, shared by its passes. */
  inFlightPerRelay: number;
  /** 10 * C / L with C = relays * inFlightPerRelay; null at 0 ms. */
  limitEventsPerSecond: number | null;
  /** Share of the relays' pass slots spent waiting on SQL (the rest: PutEvents, idle). */
  sqlShare: number;
  sql: SqlTimes;
  /** Passes that threw; the relay then starts again, as the local relay loop does. */
  relayErrors: number;
  firstRelayError?: string;
  nodeCpuCores: number;
  machineCpuCores: number;
  /**
   * Share of the relays' row updates that were HOT (no new index entries). A
   * lease can be one, a mark cannot (it moves the row between partial
   * indexes), so a drain with no retries tops out near 0.5.
   */
  hotUpdateShare: number;
}

const BUS = 'auditflow-bench';
/** The tenant of the events a drain seeds, so they can be told from kept history. */
export const DRAIN_TENANT = 'bench-drain';

/** Names a relay statement by its opening words. */
function statementKind(node: RootOperationNode): string {
  const text =
    node.kind === 'RawNode' ? (node.sqlFragments[0] ?? '') : node.kind.replace(/Node$/, '');
  const words = text.replace(/\s+/g, ' ').trim();
  if (/^SELECT o\.id/i.test(words)) return 'claim: select candidates (FOR UPDATE SKIP LOCKED)';
  if (/^SELECT o\.aggregate_type/i.test(words)) return 'claim: pending versions of candidates';
  if (/^UPDATE outbox SET claimed_by =/i.test(words))
    return 'claim: lease (UPDATE ... RETURNING *)';
  if (/status = 'published'/i.test(words)) return 'mark published';
  return words.slice(0, 40);
}

/**
 * A Kysely plugin that times every statement a relay sends, from the moment
 * it is compiled (so pool waits count) until its result is back.
 */
function timingPlugin(times: SqlTimes): KyselyPlugin {
  const started = new WeakMap<object, { at: number; kind: string }>();
  return {
    transformQuery(args) {
      started.set(args.queryId, { at: performance.now(), kind: statementKind(args.node) });
      return args.node;
    },
    async transformResult(args) {
      const start = started.get(args.queryId);
      if (start) {
        const entry = times[start.kind] ?? { count: 0, totalMs: 0 };
        entry.count++;
        entry.totalMs += performance.now() - start.at;
        times[start.kind] = entry;
      }
      return args.result;
    },
  };
}

/**
 * Drains a seeded backlog into the local EventBridge endpoint with `relays`
 * relays (each with its own pool, a connection per pass, and its own SDK client,
 * as separate Lambda invocations have) and returns events/s from the start
 * until the last event is marked published.
 */
export async function measureDrain(
  database: BenchDatabase,
  endpoint: RemoteEndpoint,
  options: DrainOptions,
): Promise<DrainMeasurement> {
  // Earlier measurements' published events go (as retention would prune
  // them): kept, they would make this a history test.
  if (!options.keepOutbox) await database.sql(`DELETE FROM outbox WHERE status = 'published'`);
  const events = await seedEvents(database, {
    tenantId: DRAIN_TENANT,
    aggregates: Math.ceil(options.events / options.versionsPerAggregate),
    versions: options.versionsPerAggregate,
    status: 'pending',
  });
  await database.sql('VACUUM ANALYZE outbox');
  await endpoint.configure(options.latencyMs);

  const sql: SqlTimes = {};
  const instances = Array.from({ length: options.relays }, (_, index) => {
    // As the relay Lambda builds its pool: a connection per pass, short timeouts.
    const db = createDb({
      target: { connectionString: database.roleUrl('relay') },
      max: options.parallelPasses,
      applicationName: `bench-relay-${index}`,
      statementTimeoutMs: 10_000,
      idleInTransactionTimeoutMs: 5_000,
    });
    const relay = createRelay({
      db: db.withPlugin(timingPlugin(sql)),
      client: localEventBridgeClient(endpoint.url),
      busName: BUS,
      batchSize: options.batchSize,
      concurrency: options.concurrency,
      parallelPasses: options.parallelPasses,
    });
    return { db, relay };
  });

  const monitor = new pg.Client({ connectionString: database.url });
  await monitor.connect();
  const updatesBefore = await outboxUpdates(monitor);
  const stop = new AbortController();
  let relayErrors = 0;
  let firstRelayError: string | undefined;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineCpu();
  const deadline = Date.now() + options.timeoutMs;
  const loops = instances.map(async ({ relay }) => {
    while (!stop.signal.aborted && Date.now() < deadline) {
      try {
        await relay.drain({
          until: deadline,
          whenIdle: 'wait',
          maxPollMs: 100,
          signal: stop.signal,
        });
      } catch (error) {
        relayErrors++;
        firstRelayError ??= error instanceof Error ? error.message : String(error);
        await sleep(100);
      }
    }
  });
  let measured: Omit<DrainMeasurement, 'hotUpdateShare'> | undefined;
  try {
    // Cheap to ask the endpoint; the database is asked only once all were accepted.
    let stats = await endpoint.stats();
    while (stats.accepted < events) {
      if (Date.now() > deadline) {
        throw new Error(
          `drain timed out: ${stats.accepted} of ${events} events accepted` +
            (firstRelayError ? ` (relay errors: ${relayErrors}, first: ${firstRelayError})` : ''),
        );
      }
      await sleep(25);
      stats = await endpoint.stats();
    }
    // Accepted is not yet published: the relay marks rows after PutEvents returns.
    while ((await pendingCount(monitor)) > 0) {
      if (Date.now() > deadline) throw new Error('drain timed out waiting for marks');
      await sleep(5);
    }
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const machineCores = coresBusySince(machineBefore, elapsedMs);
    const { requests } = await endpoint.stats();
    const inFlightPerRelay = options.concurrency;
    const sqlMs = Object.values(sql).reduce((sum, s) => sum + s.totalMs, 0);
    measured = {
      latencyMs: options.latencyMs,
      relays: options.relays,
      events,
      elapsedMs,
      eventsPerSecond: (events / elapsedMs) * 1000,
      requests,
      entriesPerRequest: events / Math.max(1, requests),
      inFlightPerRelay,
      limitEventsPerSecond:
        options.latencyMs > 0
          ? (10 * options.relays * inFlightPerRelay) / (options.latencyMs / 1000)
          : null,
      sqlShare: sqlMs / (elapsedMs * options.relays * options.parallelPasses),
      sql,
      relayErrors,
      ...(firstRelayError && { firstRelayError }),
      /** CPU of this process (relays and SDK clients) per wall second; 1 = one core. */
      nodeCpuCores: (cpu.user + cpu.system) / 1000 / elapsedMs,
      /** Cores busy on the whole machine: Postgres, the endpoint, this process, anything else. */
      machineCpuCores: machineCores,
    };
  } finally {
    stop.abort();
    await Promise.all(loops);
    await Promise.all(instances.map(({ db }) => db.destroy()));
    if (!measured) await monitor.end();
  }
  try {
    // Each relay connection reports its statistics as it closes (above).
    const updates = await outboxUpdatesSettled(monitor, updatesBefore);
    return { ...measured, hotUpdateShare: updates.hot / Math.max(1, updates.updates) };
  } finally {
    await monitor.end();
  }
}

interface UpdateCounts {
  updates: number;
  hot: number;
}

async function outboxUpdates(client: pg.Client): Promise<UpdateCounts> {
  const { rows } = await client.query<UpdateCounts>(
    `SELECT n_tup_upd::int AS updates, n_tup_hot_upd::int AS hot
       FROM pg_stat_user_tables WHERE relname = 'outbox'`,
  );
  return rows[0] ?? { updates: 0, hot: 0 };
}

/**
 * Updates since `before`. A backend reports its statistics as it exits, so
 * this waits until no relay connection is left.
 */
async function outboxUpdatesSettled(client: pg.Client, before: UpdateCounts) {
  for (let i = 0; i < 100; i++) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'bench-relay-%'`,
    );
    if (rows[0]?.n === 0) break;
    await sleep(20);
  }
  // Statistics are otherwise read once per transaction and kept.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const now = await outboxUpdates(client);
  return { updates: now.updates - before.updates, hot: now.hot - before.hot };
}

async function pendingCount(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`,
  );
  return rows[0]?.n ?? 0;
}

/** SQL times as mean milliseconds per statement, rounded, for reports. */
export function sqlSummary(sql: SqlTimes): Record<string, { count: number; meanMs: number }> {
  return Object.fromEntries(
    Object.entries(sql)
      .sort((a, b) => b[1].totalMs - a[1].totalMs)
      .map(([kind, { count, totalMs }]) => [kind, { count, meanMs: round(totalMs / count) }]),
  );
}

/** The relay's own defaults, passed explicitly so the limit can be computed from them. */
const { batchSize, concurrency, parallelPasses } = RELAY_DEFAULTS;
export const relayDefaults = { batchSize, concurrency, parallelPasses };

export const relayDrain: Benchmark<RelayDrainConfig> = {
  name: 'relay-drain',
  description:
    'events/s draining a backlog into the local EventBridge endpoint, by added latency and relay count',
  full: () => ({
    events: 100_000,
    versionsPerAggregate: 4,
    latenciesMs: [0, 20],
    relays: [1, 4],
    ...relayDefaults,
    warmupEvents: 5_000,
    timeoutMs: 180_000,
    bareSdkRounds: 50,
  }),
  smoke: () => ({
    events: 400,
    versionsPerAggregate: 4,
    latenciesMs: [0, 20],
    relays: [1, 2],
    ...relayDefaults,
    warmupEvents: 40,
    timeoutMs: 20_000,
    bareSdkRounds: 2,
  }),
  async run(config, context) {
    const startedAt = new Date().toISOString();
    const began = performance.now();
    const server = await startBenchServer(context);
    const database = await createBenchDatabase(server, 'relay_drain');
    const endpoint = await startEndpointProcess();
    const measurements: (DrainMeasurement & { bareSdkEventsPerSecond: number })[] = [];
    try {
      context.log(`warm-up: ${config.warmupEvents} events`);
      await measureDrain(database, endpoint, {
        ...config,
        events: config.warmupEvents,
        latencyMs: 0,
        relays: 1,
      });
      const request = await sampleRequest(database, BUS);
      for (const latencyMs of config.latenciesMs) {
        for (const relays of config.relays) {
          // The baseline right before the drain it is read against.
          const bare = await measureBareSdk(endpoint, request, {
            latencyMs,
            clients: relays,
            concurrency: config.concurrency,
            requests: config.concurrency * config.bareSdkRounds * (latencyMs > 0 ? 1 : 4),
          });
          context.log(`draining ${config.events} events, ${latencyMs} ms, ${relays} relay(s)`);
          const measurement = await measureDrain(database, endpoint, {
            ...config,
            latencyMs,
            relays,
          });
          context.log(
            `  ${Math.round(measurement.eventsPerSecond)} events/s` +
              ` (bare SDK ${Math.round(bare.eventsPerSecond)})` +
              (measurement.relayErrors ? `, ${measurement.relayErrors} relay error(s)` : ''),
          );
          measurements.push({ ...measurement, bareSdkEventsPerSecond: bare.eventsPerSecond });
        }
      }
    } finally {
      await endpoint.close();
      await database.drop();
      await server.stop();
    }

    const rows: Row[] = [];
    const targets: Target[] = [];
    const zeroMsTarget = 10_000;
    for (const m of measurements) {
      const label = `${m.latencyMs} ms, ${m.relays} relay(s), C = ${m.relays * m.inFlightPerRelay}`;
      const claim = Object.entries(m.sql).find(([kind]) => kind.startsWith('claim: select'));
      // Where the relays' time went, and how busy the machine was: what limits the figure.
      const note =
        `SQL ${Math.round(m.sqlShare * 100)}% of pass time` +
        (claim ? `, claim select ${round(claim[1].totalMs / claim[1].count)} ms` : '') +
        `, CPU ${m.machineCpuCores.toFixed(1)} of ${os.cpus().length} cores` +
        `, HOT ${Math.round(m.hotUpdateShare * 100)}% of updates` +
        (m.relayErrors ? `, ${m.relayErrors} relay error(s)` : '');
      if (m.limitEventsPerSecond !== null) {
        const ratio = m.eventsPerSecond / m.limitEventsPerSecond;
        rows.push({
          label: `${label}: achieved / limit`,
          value: m.eventsPerSecond,
          unit: 'events/s',
          baseline: { label: 'limit 10*C/L', value: m.limitEventsPerSecond },
          ratio,
          note,
        });
        if (m.latencyMs === 20) {
          targets.push(target(`20 ms, ${m.relays} relay(s): achieved / limit`, ratio, '>=', 0.8));
        }
      } else {
        rows.push({
          label: `${label}: achieved / 10,000 target`,
          value: m.eventsPerSecond,
          unit: 'events/s',
          baseline: { label: 'target', value: zeroMsTarget },
          ratio: m.eventsPerSecond / zeroMsTarget,
          note,
        });
        targets.push(
          target(`0 ms, ${m.relays} relay(s): events/s`, m.eventsPerSecond, '>=', zeroMsTarget),
        );
      }
      rows.push({
        label: `${label}: relay / bare SDK`,
        value: m.eventsPerSecond,
        unit: 'events/s',
        baseline: { label: 'same requests, no database', value: m.bareSdkEventsPerSecond },
        ratio: m.eventsPerSecond / m.bareSdkEventsPerSecond,
        note: 'the share of what the SDK and the endpoint alone reach on this machine',
      });
    }
    return {
      startedAt,
      durationMs: performance.now() - began,
      config: {
        ...config,
        postgres: server.version,
        bus: BUS,
        limit: '10 * C / L, C = relays * concurrency requests in flight',
      },
      rows,
      results: measurements.map((m) => ({
        ...m,
        elapsedMs: round(m.elapsedMs),
        eventsPerSecond: round(m.eventsPerSecond),
        entriesPerRequest: round(m.entriesPerRequest),
        achievedOverLimit:
          m.limitEventsPerSecond === null
            ? null
            : round(m.eventsPerSecond / m.limitEventsPerSecond),
        sqlShare: round(m.sqlShare),
        sql: sqlSummary(m.sql),
        nodeCpuCores: round(m.nodeCpuCores),
        machineCpuCores: round(m.machineCpuCores),
        hotUpdateShare: round(m.hotUpdateShare),
        bareSdkEventsPerSecond: round(m.bareSdkEventsPerSecond),
        relayOverBareSdk: round(m.eventsPerSecond / m.bareSdkEventsPerSecond),
      })),
      targets,
    };
  },
};
