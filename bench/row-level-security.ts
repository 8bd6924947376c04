import { closeDb } from '@auditflow/db';
import pg from 'pg';
import { type BenchDatabase, createBenchDatabase, startBenchServer } from './database';
import { startEndpointProcess } from './endpoint';
import { type Benchmark, closedLoop, type Row, round, summarize, target } from './harness';
import { measureDrain, relayDefaults } from './relay-drain';
import { seedPayrollRuns } from './seed';
import { invoke, routeHandler } from './write-path';

export interface RowLevelSecurityConfig {
  clients: number;
  runsPerClient: number;
  /** Each round measures both settings, in alternating order, so drift hits both alike. */
  rounds: number;
  warmupMs: number;
  durationMs: number;
  drainEvents: number;
}

type Setting = 'on' | 'off';
const TENANT = 'bench';

/**
 * What row-level security costs: the audited transition through the API
 * handler (as auditflow_api) and the relay's drain (as auditflow_relay),
 * each with the policies as shipped and with row-level security switched off
 * on the same tables, in alternating rounds of the same run. Switched off,
 * the write unit still names its tenant (`set_config`), so that round trip
 * is timed on its own.
 */
export const rowLevelSecurity: Benchmark<RowLevelSecurityConfig> = {
  name: 'row-level-security',
  description:
    'audited writes/s and relay drain events/s with row-level security on, against the same with it off',
  full: () => ({
    clients: 8,
    runsPerClient: 100,
    rounds: 4,
    warmupMs: 1_000,
    durationMs: 4_000,
    drainEvents: 20_000,
  }),
  smoke: () => ({
    clients: 2,
    runsPerClient: 5,
    rounds: 1,
    warmupMs: 100,
    durationMs: 300,
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
    const writes: Record<Setting, { opsPerSecond: number; p99: number }[]> = { on: [], off: [] };
    const drains: Record<Setting, number[]> = { on: [], off: [] };
    let setConfigMs = Number.NaN;
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

      for (let r = 0; r < config.rounds; r++) {
        const order: Setting[] = r % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
        for (const setting of order) {
          await switchRowLevelSecurity(database, tables, setting);
          const result = await closedLoop({
            clients: config.clients,
            warmupMs: config.warmupMs,
            durationMs: config.durationMs,
            op: transition,
          });
          writes[setting].push({
            opsPerSecond: result.opsPerSecond,
            p99: summarize(result.latenciesMs).p99,
          });
          const drain = await measureDrain(database, endpoint, {
            ...relayDefaults,
            events: config.drainEvents,
            versionsPerAggregate: 4,
            latencyMs: 0,
            relays: 1,
            timeoutMs: 120_000,
          });
          drains[setting].push(drain.eventsPerSecond);
          context.log(
            `round ${r + 1}, RLS ${setting}: ${Math.round(result.opsPerSecond)} writes/s, ` +
              `${Math.round(drain.eventsPerSecond)} drained events/s`,
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

    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const perRound = (on: number[], off: number[]) =>
      on.map((value, i) => round(value / (off[i] ?? Number.NaN)));
    const writeOn = mean(writes.on.map((w) => w.opsPerSecond));
    const writeOff = mean(writes.off.map((w) => w.opsPerSecond));
    const drainOn = mean(drains.on);
    const drainOff = mean(drains.off);
    const p99On = mean(writes.on.map((w) => w.p99));
    const p99Off = mean(writes.off.map((w) => w.p99));
    const writeMs = 1000 / (writeOn / config.clients);
    const rows: Row[] = [
      {
        label: `write path, ${config.clients} clients: RLS on / off`,
        value: writeOn,
        unit: 'ops/s',
        baseline: { label: 'RLS off', value: writeOff },
        ratio: writeOn / writeOff,
        note: `per round ${perRound(
          writes.on.map((w) => w.opsPerSecond),
          writes.off.map((w) => w.opsPerSecond),
        ).join(', ')}`,
      },
      {
        label: `write path, ${config.clients} clients: p99 latency, RLS on / off`,
        value: p99On,
        unit: 'ms',
        baseline: { label: 'RLS off', value: p99Off },
        ratio: p99On / p99Off,
      },
      {
        label: 'relay drain, 1 relay, 0 ms: RLS on / off',
        value: drainOn,
        unit: 'events/s',
        baseline: { label: 'RLS off', value: drainOff },
        ratio: drainOn / drainOff,
        note: `per round ${perRound(drains.on, drains.off).join(', ')}`,
      },
      {
        label: "the write unit's set_config round trip / one audited write",
        value: setConfigMs,
        unit: 'ms',
        baseline: { label: 'mean audited write', value: writeMs },
        ratio: setConfigMs / writeMs,
        note: 'paid with RLS on and off alike, so not in the ratios above',
      },
    ];
    return {
      startedAt,
      durationMs: performance.now() - began,
      config: { ...config, postgres: server.version, tenant: TENANT },
      rows,
      results: [{ writes, drains, setConfigMs: round(setConfigMs) }],
      targets: [
        target('write path: RLS on / off', writeOn / writeOff, '>=', 0.95),
        target('relay drain: RLS on / off', drainOn / drainOff, '>=', 0.95),
      ],
    };
  },
};

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
