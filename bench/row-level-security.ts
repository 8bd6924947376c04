import { closeDb } from '@auditflow/db';
import pg from 'pg';
import { type BenchDatabase, createBenchDatabase, startBenchServer } from './database';
import { startEndpointProcess } from './endpoint';
import { type Benchmark, closedLoop, median, type Row, round, summarize, target } from './harness';
import { measureDrain, relayDefaults } from './relay-drain';
import { seedPayrollRuns } from './seed';
import { invoke, routeHandler } from './write-path';

export interface RowLevelSecurityConfig {
  clients: number;
  runsPerClient: number;
  /**
   * Pairs of write rounds, one with each setting, the order alternating from
   * pair to pair. Short rounds and many pairs: on a shared machine the
   * neighbours' load shifts over seconds, so it hits both rounds of a pair
   * alike, and the median of the pairs' ratios is what an outlier cannot bend.
   */
  pairs: number;
  warmupMs: number;
  durationMs: number;
  /** Pairs of drains, after one cold drain that is not counted. */
  drainPairs: number;
  drainEvents: number;
}

type Setting = 'on' | 'off';
const TENANT = 'bench';

interface Round {
  setting: Setting;
  perSecond: number;
  p99?: number;
  /** Server and application CPU per operation; NaN where the server's CPU is unknown. */
  cpuMsPerOp: number;
}

/**
 * What row-level security costs: the audited transition through the API
 * handler (as auditflow_api) and the relay's drain (as auditflow_relay),
 * each with the policies as shipped and with row-level security switched off
 * on the same tables, in alternating rounds of the same run. Switched off,
 * the write unit still names its tenant (`set_config`), so that round trip
 * is timed on its own.
 *
 * Besides throughput, each round records the CPU time per operation of the
 * server's processes and of this process (handler and relay included): on a
 * shared machine wall time drifts with the neighbours, CPU per operation
 * much less.
 */
export const rowLevelSecurity: Benchmark<RowLevelSecurityConfig> = {
  name: 'row-level-security',
  description:
    'audited writes/s and relay drain events/s with row-level security on, against the same with it off',
  full: () => ({
    clients: 8,
    runsPerClient: 100,
    pairs: 20,
    warmupMs: 200,
    durationMs: 1_000,
    drainPairs: 8,
    drainEvents: 4_000,
  }),
  smoke: () => ({
    clients: 2,
    runsPerClient: 5,
    pairs: 1,
    warmupMs: 100,
    durationMs: 300,
    drainPairs: 1,
    drainEvents: 200,
  }),
  async run(config, context) {
    const startedAt = new Date().toISOString();
    const began = performance.now();
    const server = await startBenchServer(context);
    const database = await createBenchDatabase(server, 'row_level_security');
    const endpoint = await startEndpointProcess();
    const saved = { url: process.env.DATABASE_URL, max: process.env.DATABASE_POOL_MAX };
    await closeDb();
    process.env.DATABASE_URL = database.roleUrl('api');
    process.env.DATABASE_POOL_MAX = String(config.clients);
    const writes: Round[] = [];
    const drains: Round[] = [];
    let setConfigMs = Number.NaN;
    // CPU of the server's processes and of this one, in ms, since a mark.
    const cpuMark = () => ({ server: server.cpuMs() ?? Number.NaN, app: process.cpuUsage() });
    const cpuSince = (mark: ReturnType<typeof cpuMark>) => {
      const app = process.cpuUsage(mark.app);
      return (server.cpuMs() ?? Number.NaN) - mark.server + (app.user + app.system) / 1000;
    };
    const orderOf = (pair: number): Setting[] => (pair % 2 === 0 ? ['on', 'off'] : ['off', 'on']);
    try {
      const tables = await securedTables(database);
      const submit = await routeHandler('POST', '/payroll-runs/{id}/submit');
      const reject = await routeHandler('POST', '/payroll-runs/{id}/reject');
      const runs = await seedPayrollRuns(database, {
        tenantId: TENANT,
        runs: config.clients * config.runsPerClient,
      });
      await database.sql('VACUUM ANALYZE');
      const submitted = new Set<string>();
      const turns: number[] = [];
      // Submit and reject alternate, so each run takes any number of transitions.
      const transition = async (client: number) => {
        const n = turns[client] ?? 0;
        turns[client] = n + 1;
        const id = runs[client * config.runsPerClient + (n % config.runsPerClient)] as string;
        const submitting = !submitted.has(id);
        const result = await invoke(submitting ? submit : reject, {
          path: `/payroll-runs/${id}/${submitting ? 'submit' : 'reject'}`,
          routePath: `/payroll-runs/{id}/${submitting ? 'submit' : 'reject'}`,
          id,
          sub: `client-${client}`,
          ...(!submitting && { body: { reason: 'figures do not match the ledger' } }),
        });
        if (result.statusCode !== 200) throw new Error(`transition failed: ${result.body}`);
        if (submitting) submitted.add(id);
        else submitted.delete(id);
      };

      const drain = () =>
        measureDrain(database, endpoint, {
          ...relayDefaults,
          events: config.drainEvents,
          versionsPerAggregate: 4,
          latencyMs: 0,
          relays: 1,
          timeoutMs: 120_000,
        });
      // The drains come first, while the outbox holds nothing else: the write
      // rounds leave their events pending. The first drain warms the caches
      // for both settings and is not counted.
      await drain();
      for (let pair = 0; pair < config.drainPairs; pair++) {
        for (const setting of orderOf(pair)) {
          await switchRowLevelSecurity(database, tables, setting);
          const mark = cpuMark();
          const result = await drain();
          // The drain's seeding is inside the mark, alike for both settings.
          drains.push({
            setting,
            perSecond: result.eventsPerSecond,
            cpuMsPerOp: cpuSince(mark) / config.drainEvents,
          });
          context.log(
            `drain pair ${pair + 1}, RLS ${setting}: ${Math.round(result.eventsPerSecond)} events/s`,
          );
        }
      }
      for (let pair = 0; pair < config.pairs; pair++) {
        for (const setting of orderOf(pair)) {
          await switchRowLevelSecurity(database, tables, setting);
          await closedLoop({
            clients: config.clients,
            warmupMs: 0,
            durationMs: config.warmupMs,
            op: transition,
          });
          const mark = cpuMark();
          const result = await closedLoop({
            clients: config.clients,
            warmupMs: 0,
            durationMs: config.durationMs,
            op: transition,
          });
          const ops = result.latenciesMs.length;
          writes.push({
            setting,
            perSecond: result.opsPerSecond,
            p99: summarize(result.latenciesMs).p99,
            cpuMsPerOp: cpuSince(mark) / ops,
          });
          context.log(
            `write pair ${pair + 1}, RLS ${setting}: ${Math.round(result.opsPerSecond)} writes/s, ` +
              `${round(cpuSince(mark) / ops)} CPU ms/write`,
          );
        }
      }

      await switchRowLevelSecurity(database, tables, 'on');
      setConfigMs = await setConfigRoundTrip(database);
    } finally {
      await endpoint.close();
      await closeDb();
      restore('DATABASE_URL', saved.url);
      restore('DATABASE_POOL_MAX', saved.max);
      await database.drop();
      await server.stop();
    }

    const write = compare(writes, (r) => r.perSecond);
    const writeP99 = compare(writes, (r) => r.p99 ?? Number.NaN);
    const writeCpu = compare(writes, (r) => r.cpuMsPerOp);
    const drain = compare(drains, (r) => r.perSecond);
    const drainCpu = compare(drains, (r) => r.cpuMsPerOp);
    const writeMs = 1000 / (write.on / config.clients);
    // Only where the server's processes can be watched: its own embedded one.
    const cpuRows: Row[] = Number.isFinite(writeCpu.on)
      ? [
          {
            label: 'write path: CPU per write (server and application), RLS on / off',
            value: writeCpu.on,
            unit: 'ms',
            baseline: { label: 'RLS off', value: writeCpu.off },
            ratio: writeCpu.median,
            note: `per pair ${writeCpu.ratios.map(round).join(', ')}`,
          },
          {
            label: 'relay drain: CPU per event (seeding included), RLS on / off',
            value: drainCpu.on,
            unit: 'ms',
            baseline: { label: 'RLS off', value: drainCpu.off },
            ratio: drainCpu.median,
          },
        ]
      : [];
    const rows: Row[] = [
      {
        label: `write path, ${config.clients} clients: RLS on / off (median of ${write.ratios.length} pairs)`,
        value: write.on,
        unit: 'ops/s',
        baseline: { label: 'RLS off', value: write.off },
        ratio: write.median,
        note: `per pair ${write.ratios.map(round).join(', ')}`,
      },
      {
        label: `write path, ${config.clients} clients: p99 latency, RLS on / off`,
        value: writeP99.on,
        unit: 'ms',
        baseline: { label: 'RLS off', value: writeP99.off },
        ratio: writeP99.median,
      },
      {
        label: `relay drain, 1 relay, 0 ms: RLS on / off (median of ${drain.ratios.length} pairs)`,
        value: drain.on,
        unit: 'events/s',
        baseline: { label: 'RLS off', value: drain.off },
        ratio: drain.median,
        note: `per pair ${drain.ratios.map(round).join(', ')}`,
      },
      {
        label: "the write unit's set_config round trip / one audited write",
        value: setConfigMs,
        unit: 'ms',
        baseline: { label: 'mean audited write', value: writeMs },
        ratio: setConfigMs / writeMs,
        note: 'paid with RLS on and off alike, so not in the ratios above',
      },
      ...cpuRows,
    ];
    return {
      startedAt,
      durationMs: performance.now() - began,
      config: { ...config, postgres: server.version, tenant: TENANT },
      rows,
      results: [{ writes, drains, setConfigMs: round(setConfigMs) }],
      targets: [
        target('write path: RLS on / off (median pair)', write.median, '>=', 0.95),
        target('relay drain: RLS on / off (median pair)', drain.median, '>=', 0.95),
      ],
    };
  },
};

/**
 * Both settings' means of one figure, and the ratio on / off of each pair of
 * consecutive rounds (which measured one setting each) with their median.
 */
function compare(rounds: Round[], figure: (round: Round) => number) {
  const mean = (setting: Setting) => {
    const values = rounds.filter((r) => r.setting === setting).map(figure);
    return values.reduce((sum, v) => sum + v, 0) / values.length;
  };
  const ratios: number[] = [];
  for (let i = 0; i + 1 < rounds.length; i += 2) {
    const [a, b] = [rounds[i] as Round, rounds[i + 1] as Round];
    const [on, off] = a.setting === 'on' ? [a, b] : [b, a];
    ratios.push(figure(on) / figure(off));
  }
  return { on: mean('on'), off: mean('off'), ratios, median: median(ratios) };
}

/** The tables row-level security covers as migrated: switched off and on by name. */
async function securedTables(database: BenchDatabase): Promise<string[]> {
  const { rows } = await database.sql<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relrowsecurity ORDER BY 1`,
  );
  if (rows.length === 0) throw new Error('no table has row-level security');
  return rows.map((row) => row.name);
}

async function switchRowLevelSecurity(
  database: BenchDatabase,
  tables: string[],
  setting: Setting,
): Promise<void> {
  const statements = tables.map((table) =>
    setting === 'on'
      ? `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`
      : `ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY; ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY;`,
  );
  await database.sql(statements.join('\n'));
}

/** Median time of the statement the write unit adds to name its tenant, as auditflow_api. */
async function setConfigRoundTrip(database: BenchDatabase): Promise<number> {
  const client = new pg.Client({ connectionString: database.roleUrl('api') });
  await client.connect();
  try {
    const samples: number[] = [];
    await client.query('BEGIN');
    for (let i = 0; i < 500; i++) {
      const started = performance.now();
      await client.query(`SELECT set_config('auditflow.tenant_id', $1, true)`, [TENANT]);
      samples.push(performance.now() - started);
    }
    await client.query('ROLLBACK');
    return summarize(Float64Array.from(samples)).p50;
  } finally {
    await client.end();
  }
}

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
