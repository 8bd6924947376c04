import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileCheckpointStore, sealAuditChain, verifyChains } from '@auditflow/audit';
import { closeDb, createDb } from '@auditflow/db';
import { type BenchDatabase, createBenchDatabase, startBenchServer } from './database';
import { type Benchmark, closedLoop, type Row, round, summarize, target } from './harness';
import { seedEvents, seedPayrollRuns } from './seed';
import { invoke, routeHandler } from './write-path';

export interface AuditChainConfig {
  clients: number;
  runsPerClient: number;
  /** Each round measures the chain on and off, in alternating order, so drift hits both alike. */
  rounds: number;
  warmupMs: number;
  durationMs: number;
  /** How often the concurrent sealer runs during "on" rounds (deployed: once a minute). */
  sealEveryMs: number;
  /** History seeded for timing verify: runs with two versions, three rows per version. */
  verifyRuns: number;
}

type Setting = 'on' | 'off';
type Shape = '1 tenant' | '8 tenants';
const SHAPES: Record<Shape, number> = { '1 tenant': 1, '8 tenants': 8 };

/**
 * What the audit chain costs the audited write, and how fast `verify` is.
 * The same audited transition through the API handler (as auditflow_api),
 * at `clients` clients, in one tenant and spread over eight, with the chain
 * as shipped (the txid index its sealer reads, and a sealer running beside
 * the writers as the relay's role) against the same database with the chain
 * switched off (index dropped, no sealer), in alternating rounds of one run.
 * The backlog an "off" round leaves is sealed before the next "on" round
 * starts, so each "on" round seals only what it writes. Then `verify`
 * reads and recomputes a seeded history in one Node.js process (one core
 * of JavaScript; Postgres serves the reads from the other).
 */
export const auditChain: Benchmark<AuditChainConfig> = {
  name: 'audit-chain',
  description:
    'audited writes/s and p99 with the audit chain sealing beside them, against the same without the chain; verify rows/s',
  full: () => ({
    clients: 8,
    runsPerClient: 100,
    rounds: 6,
    warmupMs: 1_000,
    durationMs: 4_000,
    sealEveryMs: 1_000,
    verifyRuns: 40_000,
  }),
  smoke: () => ({
    clients: 2,
    runsPerClient: 5,
    rounds: 1,
    warmupMs: 100,
    durationMs: 300,
    sealEveryMs: 100,
    verifyRuns: 200,
  }),
  async run(config, context) {
    const startedAt = new Date().toISOString();
    const began = performance.now();
    const server = await startBenchServer(context);
    const database = await createBenchDatabase(server, 'audit_chain');
    const checkpointDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-bench-checkpoints-'));
    const saved = { url: process.env.DATABASE_URL, max: process.env.DATABASE_POOL_MAX };
    await closeDb();
    process.env.DATABASE_URL = database.roleUrl('api');
    process.env.DATABASE_POOL_MAX = String(config.clients);
    // Seeded history comes in transactions of thousands of runs, each sealed whole in one call.
    const relayDb = createDb({
      target: { connectionString: database.roleUrl('relay') },
      max: 1,
      statementTimeoutMs: 300_000,
    });
    const operatorDb = createDb({
      target: { connectionString: database.roleUrl('operator') },
      max: 1,
      statementTimeoutMs: 300_000,
    });
    const writes: Record<Shape, Record<Setting, { opsPerSecond: number; p99: number }[]>> = {
      '1 tenant': { on: [], off: [] },
      '8 tenants': { on: [], off: [] },
    };
    let sealedDuringRounds = 0;
    let verify = { rows: 0, ms: Number.NaN, cpuMs: Number.NaN, ok: false };
    let seal = { rows: 0, ms: Number.NaN };
    try {
      const submit = await routeHandler('POST', '/payroll-runs/{id}/submit');
      const reject = await routeHandler('POST', '/payroll-runs/{id}/reject');
      const runsOf: Record<Shape, string[][]> = { '1 tenant': [], '8 tenants': [] };
      for (const [shape, tenants] of Object.entries(SHAPES) as [Shape, number][]) {
        for (let client = 0; client < config.clients; client++) {
          const tenantId = `bench-${tenants}-${client % tenants}`;
          runsOf[shape].push(
            await seedPayrollRuns(database, { tenantId, runs: config.runsPerClient }),
          );
        }
      }
      await sealAuditChain(relayDb, { maxBatches: 1_000 });
      await database.sql('VACUUM ANALYZE');

      const submitted = new Set<string>();
      const turns = new Map<string, number>();
      // Submit and reject alternate, so each run takes any number of transitions.
      const transition = (shape: Shape) => async (client: number) => {
        const key = `${shape}/${client}`;
        const n = turns.get(key) ?? 0;
        turns.set(key, n + 1);
        const runs = runsOf[shape][client] as string[];
        const id = runs[n % runs.length] as string;
        const submitting = !submitted.has(id);
        const result = await invoke(submitting ? submit : reject, {
          path: `/payroll-runs/${id}/${submitting ? 'submit' : 'reject'}`,
          routePath: `/payroll-runs/{id}/${submitting ? 'submit' : 'reject'}`,
          id,
          tenant: `bench-${SHAPES[shape]}-${client % SHAPES[shape]}`,
          sub: `client-${client}`,
          ...(!submitting && { body: { reason: 'figures do not match the ledger' } }),
        });
        if (result.statusCode !== 200) throw new Error(`transition failed: ${result.body}`);
        if (submitting) submitted.add(id);
        else submitted.delete(id);
      };

      for (let r = 0; r < config.rounds; r++) {
        for (const shape of Object.keys(SHAPES) as Shape[]) {
          const order: Setting[] = r % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
          for (const setting of order) {
            await switchChain(database, setting);
            if (setting === 'on') await sealAuditChain(relayDb, { maxBatches: 1_000 });
            let sealing = setting === 'on';
            const sealer = (async () => {
              while (sealing) {
                sealedDuringRounds += await sealAuditChain(relayDb);
                await new Promise((resolve) => setTimeout(resolve, config.sealEveryMs));
              }
            })();
            const result = await closedLoop({
              clients: config.clients,
              warmupMs: config.warmupMs,
              durationMs: config.durationMs,
              op: transition(shape),
            }).finally(async () => {
              sealing = false;
              await sealer;
            });
            writes[shape][setting].push({
              opsPerSecond: result.opsPerSecond,
              p99: summarize(result.latenciesMs).p99,
            });
            context.log(
              `round ${r + 1}, ${shape}, chain ${setting}: ${Math.round(result.opsPerSecond)} writes/s`,
            );
          }
        }
      }
      await switchChain(database, 'on');

      // A seeded history, sealed (timed), then verified (timed).
      await seedEvents(database, {
        tenantId: 'bench-verify',
        aggregates: config.verifyRuns,
        versions: 2,
        status: 'published',
      });
      await database.sql('VACUUM ANALYZE');
      const sealStarted = performance.now();
      const sealed = await sealAuditChain(relayDb, { maxBatches: 10_000 });
      seal = { rows: sealed, ms: performance.now() - sealStarted };
      context.log(`sealed ${seal.rows} rows in ${Math.round(seal.ms)} ms`);
      await database.sql('VACUUM ANALYZE');
      // No checkpoint subscriber runs here: only the chain and the rows are compared.
      const cpuBefore = process.cpuUsage();
      const report = await verifyChains(operatorDb, fileCheckpointStore(checkpointDir));
      const cpu = process.cpuUsage(cpuBefore);
      verify = {
        rows: report.rows,
        ms: report.durationMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        ok: report.ok,
      };
      context.log(`verified ${report.rows} rows in ${Math.round(report.durationMs)} ms`);
      if (!report.ok) throw new Error(`verify found ${JSON.stringify(report.first)}`);
    } finally {
      await relayDb.destroy();
      await operatorDb.destroy();
      await closeDb();
      restore('DATABASE_URL', saved.url);
      restore('DATABASE_POOL_MAX', saved.max);
      await fs.rm(checkpointDir, { recursive: true, force: true });
      await database.drop();
      await server.stop();
    }

    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const rows: Row[] = [];
    const targets = [];
    for (const shape of Object.keys(SHAPES) as Shape[]) {
      const on = writes[shape].on;
      const off = writes[shape].off;
      const writeOn = mean(on.map((w) => w.opsPerSecond));
      const writeOff = mean(off.map((w) => w.opsPerSecond));
      const p99On = mean(on.map((w) => w.p99));
      const p99Off = mean(off.map((w) => w.p99));
      rows.push(
        {
          label: `write path, ${config.clients} clients, ${shape}: chain on / off`,
          value: writeOn,
          unit: 'ops/s',
          baseline: { label: 'no chain', value: writeOff },
          ratio: writeOn / writeOff,
          note: `per round ${on.map((w, i) => round(w.opsPerSecond / (off[i]?.opsPerSecond ?? Number.NaN))).join(', ')}`,
        },
        {
          label: `write path, ${config.clients} clients, ${shape}: p99 latency, chain on / off`,
          value: p99On,
          unit: 'ms',
          baseline: { label: 'no chain', value: p99Off },
          ratio: p99On / p99Off,
        },
      );
      targets.push(
        target(`write path, ${shape}: chain on / off`, writeOn / writeOff, '>=', 0.9),
        target(`p99, ${shape}: chain on / off`, p99On / p99Off, '<=', 2),
      );
    }
    const verifyRate = (verify.rows / verify.ms) * 1000;
    const verifyCpuRate = (verify.rows / verify.cpuMs) * 1000;
    const sealRate = (seal.rows / seal.ms) * 1000;
    const writeRate = mean(writes['8 tenants'].on.map((w) => w.opsPerSecond));
    rows.push(
      {
        label: 'verify: rows per CPU-second of the verifying process (one core)',
        value: verifyCpuRate,
        unit: 'rows/s',
        baseline: { label: 'rows per wall-clock second', value: verifyRate },
        ratio: verifyCpuRate / verifyRate,
        note: `${verify.rows} rows in ${Math.round(verify.ms)} ms, ${Math.round(verify.cpuMs)} ms of its CPU; content hashes computed by Postgres`,
      },
      {
        label: 'seal: history rows chained per second / rows the write path makes per second',
        value: sealRate,
        unit: 'rows/s',
        baseline: { label: 'write path rows/s (3 per write, 8 tenants)', value: writeRate * 3 },
        ratio: sealRate / (writeRate * 3),
        note: `${seal.rows} rows in ${Math.round(seal.ms)} ms; ${sealedDuringRounds} sealed during the write rounds`,
      },
    );
    targets.push(
      target('verify rows per CPU-second (one core)', verifyCpuRate, '>=', 100_000),
      target('verify rows per wall-clock second', verifyRate, '>=', 100_000),
    );
    return {
      startedAt,
      durationMs: performance.now() - began,
      config: { ...config, postgres: server.version },
      rows,
      results: [{ writes, verify, seal, sealedDuringRounds, loadAverage: os.loadavg() }],
      targets,
    };
  },
};

/**
 * The chain's cost on the write path is the index its sealer reads (audit
 * rows by txid) and the sealer itself: "off" drops the index, and no sealer runs.
 */
async function switchChain(database: BenchDatabase, setting: Setting): Promise<void> {
  await database.sql(
    setting === 'on'
      ? 'CREATE INDEX IF NOT EXISTS audit_log_by_txid ON audit_log (txid)'
      : 'DROP INDEX IF EXISTS audit_log_by_txid',
  );
}

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
