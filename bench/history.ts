import { createDb } from '@auditflow/db';
import { localEventBridgeClient } from '@auditflow/local';
import { createRelay } from '@auditflow/relay';
import { type BenchDatabase, createBenchDatabase, startBenchServer } from './database';
import { type RemoteEndpoint, startEndpointProcess } from './endpoint';
import {
  type Benchmark,
  median,
  type Row,
  round,
  type Summary,
  summarize,
  targetWithin,
} from './harness';
import {
  DRAIN_TENANT,
  type DrainOptions,
  measureDrain,
  relayDefaults,
  type SqlTimes,
} from './relay-drain';
import { seedEvents } from './seed';

export interface HistoryConfig {
  /** Published events kept in the outbox of the second database. */
  publishedRows: number;
  /** Empty polls per database, taken in blocks that alternate between the databases. */
  emptyPolls: number;
  pollsPerBlock: number;
  /** Drains per database, in alternating order (ABBA). */
  rounds: number;
  drainEvents: number;
  versionsPerAggregate: number;
  timeoutMs: number;
}

type Kept = 'none' | 'history';
const KEPT: Kept[] = ['none', 'history'];

interface DrainRound {
  kept: Kept;
  round: number;
  eventsPerSecond: number;
  /** Mean time of the claim's candidate query during the drain. */
  claimSelectMs: number;
  /** Share of the relay's pass time spent waiting on SQL. */
  sqlShare: number;
}

function claimSelectMs(sql: SqlTimes): number {
  const claim = Object.entries(sql).find(([kind]) => kind.startsWith('claim: select'));
  return claim ? claim[1].totalMs / claim[1].count : Number.NaN;
}

/**
 * Times relay passes over outboxes with nothing due, in short blocks that
 * alternate between the databases: a noisy moment on a shared machine then
 * lands on both alike instead of on one of them.
 */
async function measureEmptyPolls(
  databases: Record<Kept, BenchDatabase>,
  endpoint: RemoteEndpoint,
  polls: number,
  pollsPerBlock: number,
): Promise<Record<Kept, Float64Array>> {
  const relays = KEPT.map((kept) => {
    const db = createDb({
      target: { connectionString: databases[kept].url },
      max: 2,
      statementTimeoutMs: 10_000,
      idleInTransactionTimeoutMs: 5_000,
    });
    const relay = createRelay({
      db,
      client: localEventBridgeClient(endpoint.url),
      busName: 'auditflow-bench',
    });
    return { kept, db, relay };
  });
  const timings: Record<Kept, number[]> = { none: [], history: [] };
  try {
    for (const { relay } of relays) for (let i = 0; i < 50; i++) await relay.runPass();
    const blocks = Math.ceil(polls / pollsPerBlock);
    for (let block = 0; block < blocks; block++) {
      const order = block % 2 === 0 ? relays : [...relays].reverse();
      for (const { kept, relay } of order) {
        for (let i = 0; i < pollsPerBlock; i++) {
          const started = performance.now();
          const pass = await relay.runPass();
          timings[kept].push(performance.now() - started);
          if (pass.claimed !== 0) throw new Error('an empty poll claimed events');
        }
      }
    }
  } finally {
    await Promise.all(relays.map(({ db }) => db.destroy()));
  }
  return { none: Float64Array.from(timings.none), history: Float64Array.from(timings.history) };
}

/**
 * Buffers the claim's candidate query touches on an outbox with nothing due:
 * unlike a timing, this count does not depend on how busy the machine is.
 */
async function claimBuffers(database: BenchDatabase): Promise<number> {
  const { rows } = await database.sql<{ 'QUERY PLAN': [{ Plan: Record<string, number> }] }>(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
     SELECT id, aggregate_type, aggregate_id, aggregate_version
       FROM outbox
      WHERE status = 'pending'
        AND next_attempt_at <= now()
        AND (claimed_until IS NULL OR claimed_until < now())
      ORDER BY id
      LIMIT 500
        FOR UPDATE SKIP LOCKED`,
  );
  const plan = rows[0]?.['QUERY PLAN'][0].Plan ?? {};
  return (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0);
}

export const history: Benchmark<HistoryConfig> = {
  name: 'history',
  description:
    'cost of an empty poll and drain rate with no published history and with a large one kept',
  full: () => ({
    publishedRows: 1_000_000,
    emptyPolls: 2_000,
    pollsPerBlock: 50,
    rounds: 4,
    drainEvents: 20_000,
    versionsPerAggregate: 4,
    timeoutMs: 120_000,
  }),
  smoke: () => ({
    publishedRows: 2_000,
    emptyPolls: 20,
    pollsPerBlock: 10,
    rounds: 1,
    drainEvents: 200,
    versionsPerAggregate: 4,
    timeoutMs: 20_000,
  }),
  async run(config, context) {
    const startedAt = new Date().toISOString();
    const began = performance.now();
    const server = await startBenchServer(context);
    const databases: Record<Kept, BenchDatabase> = {
      none: await createBenchDatabase(server, 'history_none'),
      history: await createBenchDatabase(server, 'history_kept'),
    };
    const endpoint = await startEndpointProcess();
    const drains: DrainRound[] = [];
    const buffers: Record<Kept, number> = { none: 0, history: 0 };
    let polls: Record<Kept, Summary> | undefined;
    let setupMs = 0;
    const drainOptions: DrainOptions = {
      events: config.drainEvents,
      versionsPerAggregate: config.versionsPerAggregate,
      latencyMs: 0,
      relays: 1,
      ...relayDefaults,
      timeoutMs: config.timeoutMs,
      keepOutbox: true,
    };
    // Back to exactly the history under test: the drained events go, as retention would prune them.
    const forgetDrain = async (database: BenchDatabase) => {
      await database.sql('DELETE FROM outbox WHERE tenant_id = $1', [DRAIN_TENANT]);
      await database.sql('VACUUM ANALYZE outbox');
    };
    try {
      context.log(`keeping ${config.publishedRows.toLocaleString('en-US')} published events`);
      const setupStarted = performance.now();
      await seedEvents(databases.history, {
        tenantId: 'bench-history',
        aggregates: Math.ceil(config.publishedRows / config.versionsPerAggregate),
        versions: config.versionsPerAggregate,
        status: 'published',
      });
      for (const database of Object.values(databases)) await database.sql('VACUUM ANALYZE outbox');
      setupMs = performance.now() - setupStarted;
      context.log(`  ${Math.round(setupMs / 1000)} s`);

      // One unmeasured drain per database first: caches and JIT warm alike.
      for (const database of Object.values(databases)) {
        await measureDrain(database, endpoint, {
          ...drainOptions,
          events: Math.min(config.drainEvents, 5_000),
        });
        await forgetDrain(database);
      }

      const timings = await measureEmptyPolls(
        databases,
        endpoint,
        config.emptyPolls,
        config.pollsPerBlock,
      );
      polls = { none: summarize(timings.none), history: summarize(timings.history) };
      for (const kept of KEPT) buffers[kept] = await claimBuffers(databases[kept]);
      context.log(
        `empty poll p50: ${polls.none.p50.toFixed(3)} ms without history, ${polls.history.p50.toFixed(3)} ms with`,
      );

      for (let round = 0; round < config.rounds; round++) {
        const order: Kept[] = round % 2 === 0 ? ['none', 'history'] : ['history', 'none'];
        for (const kept of order) {
          const drain = await measureDrain(databases[kept], endpoint, drainOptions);
          await forgetDrain(databases[kept]);
          drains.push({
            kept,
            round,
            eventsPerSecond: drain.eventsPerSecond,
            claimSelectMs: claimSelectMs(drain.sql),
            sqlShare: drain.sqlShare,
          });
          context.log(
            `round ${round + 1}, ${kept === 'none' ? 'no history' : 'history kept'}: drain ${Math.round(drain.eventsPerSecond)} events/s`,
          );
        }
      }
    } finally {
      await endpoint.close();
      for (const database of Object.values(databases)) await database.drop();
      await server.stop();
    }

    const poll = polls ?? { none: summarize([]), history: summarize([]) };
    const of = (kept: Kept) => drains.filter((m) => m.kept === kept);
    // Medians over rounds: one disturbed round on a shared machine does not decide.
    const drain = (kept: Kept) => median(of(kept).map((m) => m.eventsPerSecond));
    const claimMs = (kept: Kept) => median(of(kept).map((m) => m.claimSelectMs));
    const kept = config.publishedRows.toLocaleString('en-US');
    const rows: Row[] = [
      {
        label: `empty poll p50 with ${kept} published kept`,
        value: poll.history.p50,
        unit: 'ms',
        baseline: { label: 'no history', value: poll.none.p50 },
        ratio: poll.history.p50 / poll.none.p50,
      },
      {
        label: 'empty poll: buffers the claim query touches',
        value: buffers.history,
        unit: 'blocks',
        baseline: { label: 'no history', value: buffers.none },
        ratio: buffers.history / Math.max(1, buffers.none),
      },
      {
        label: `drain rate (median of rounds) with ${kept} published kept`,
        value: drain('history'),
        unit: 'events/s',
        baseline: { label: 'no history', value: drain('none') },
        ratio: drain('history') / drain('none'),
      },
      {
        label: 'drain: claim candidate query, mean',
        value: claimMs('history'),
        unit: 'ms',
        baseline: { label: 'no history', value: claimMs('none') },
        ratio: claimMs('history') / claimMs('none'),
      },
    ];
    const rounded = (s: Summary) => ({ p50: round(s.p50), mean: round(s.mean), p99: round(s.p99) });
    return {
      startedAt,
      durationMs: performance.now() - began,
      config: {
        ...config,
        postgres: server.version,
        relay: { relays: 1, ...relayDefaults, endpointLatencyMs: 0 },
      },
      rows,
      results: [
        {
          setupMs: round(setupMs),
          claimQueryBuffers: buffers,
          emptyPollMs: { none: rounded(poll.none), history: rounded(poll.history) },
        },
        ...drains.map((m) => ({
          ...m,
          eventsPerSecond: round(m.eventsPerSecond),
          claimSelectMs: round(m.claimSelectMs),
          sqlShare: round(m.sqlShare),
        })),
      ],
      targets: [
        targetWithin('empty poll p50: history / none', poll.history.p50 / poll.none.p50, 0.9, 1.1),
        targetWithin('drain rate: history / none', drain('history') / drain('none'), 0.9, 1.1),
      ],
    };
  },
};
