import { randomUUID } from 'node:crypto';
import { closeDb } from '@auditflow/db';
import { loadHandler, routes } from '@auditflow/functions';
import { lambdaContext, toApiGatewayEvent } from '@auditflow/local';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createBenchDatabase, startBenchServer } from './database';
import {
  type Benchmark,
  closedLoop,
  coresBusySince,
  machineCpu,
  type Row,
  round,
  type Summary,
  summarize,
  target,
} from './harness';
import { seedPayrollRuns } from './seed';

export interface WritePathConfig {
  clients: number[];
  /** Payroll runs each client cycles through (per variant). */
  runsPerClient: number;
  /** Each round runs every variant once, in a rotated order, so drift hits all alike. */
  rounds: number;
  warmupMs: number;
  durationMs: number;
}

type Variant = 'audited' | 'bare' | 'raw';
const VARIANTS: Variant[] = ['audited', 'bare', 'raw'];
const LABELS: Record<Variant, string> = {
  audited: '(a) audited transition via the API handler',
  bare: '(b) bare state UPDATE',
  raw: '(c) same statements as raw SQL',
};

const TENANT = 'bench';
type Handler = (event: unknown, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export async function routeHandler(method: string, routePath: string): Promise<Handler> {
  const route = routes.find((r) => r.method === method && r.path === routePath);
  if (!route) throw new Error(`no route ${method} ${routePath}`);
  return loadHandler<Handler>(route.handler);
}

/** Invokes a route handler in-process with the API Gateway v2 event AWS would send. */
export function invoke(
  handler: Handler,
  request: {
    path: string;
    routePath: string;
    id?: string;
    body?: unknown;
    sub: string;
    /** The token's tenant; the benchmarks' one tenant unless given. */
    tenant?: string;
  },
) {
  const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
  const event = toApiGatewayEvent(
    {
      method: 'POST',
      path: request.path,
      rawQueryString: '',
      headers: {
        host: 'api.bench.test',
        ...(body && { 'content-type': 'application/json' }),
      },
      body,
      sourceIp: '127.0.0.1',
    },
    {
      routeKey: `POST ${request.routePath}`,
      pathParameters: request.id ? { id: request.id } : {},
    },
    {
      tenant_id: request.tenant ?? TENANT,
      sub: request.sub,
      scope: 'payroll:submit payroll:approve',
    },
  );
  return handler(event, lambdaContext(request.routePath));
}

interface Combined {
  ops: number;
  errors: number;
  opsPerSecond: number;
  latency: Summary;
  machineCpuCores: number;
  nodeCpuCores: number;
}

interface Measurement {
  clients: number;
  round: number;
  variant: Variant;
  ops: number;
  errors: number;
  elapsedMs: number;
  opsPerSecond: number;
  latenciesMs: Float64Array;
  machineCpuCores: number;
  nodeCpuCores: number;
}

export const writePath: Benchmark<WritePathConfig> = {
  name: 'write-path',
  description:
    'ops/s and latency of (a) an audited transition through the API handler, (b) the bare UPDATE, (c) the same SQL raw',
  full: () => ({
    clients: [1, 8, 32],
    runsPerClient: 100,
    rounds: 3,
    warmupMs: 1_000,
    durationMs: 4_000,
  }),
  smoke: () => ({ clients: [1, 8], runsPerClient: 5, rounds: 1, warmupMs: 100, durationMs: 300 }),
  async run(config, context) {
    const startedAt = new Date().toISOString();
    const began = performance.now();
    const server = await startBenchServer(context);
    const database = await createBenchDatabase(server, 'write_path');
    const maxClients = Math.max(...config.clients);
    // The handlers use the process-wide pool from the environment; give it as
    // many connections as there are clients, as N Lambda containers would have.
    const saved = { url: process.env.DATABASE_URL, max: process.env.DATABASE_POOL_MAX };
    await closeDb();
    process.env.DATABASE_URL = database.roleUrl('api');
    process.env.DATABASE_POOL_MAX = String(maxClients);
    const pool = new pg.Pool({ connectionString: database.url, max: maxClients });
    const measurements: Measurement[] = [];
    try {
      const submit = await routeHandler('POST', '/payroll-runs/{id}/submit');
      const reject = await routeHandler('POST', '/payroll-runs/{id}/reject');

      // Each client cycles through payroll runs of its own: clients never wait
      // on each other's row locks (the figures are throughput, not contention),
      // and no row is updated thousands of times a second, which no real run is.
      const perVariant = maxClients * config.runsPerClient;
      const auditedRuns = await seedPayrollRuns(database, { tenantId: TENANT, runs: perVariant });
      const rawRuns = await seedPayrollRuns(database, { tenantId: TENANT, runs: perVariant });
      // (b) updates a table shaped like payroll_runs (same columns, checks and
      // indexes) without the audit triggers: the cost of the state change alone.
      await database.sql('CREATE TABLE bench_bare_state (LIKE payroll_runs INCLUDING ALL)');
      await database.sql(
        'INSERT INTO bench_bare_state SELECT * FROM payroll_runs WHERE id = ANY($1::uuid[])',
        [rawRuns],
      );
      await database.sql('VACUUM ANALYZE');
      const bareRuns = rawRuns;
      const auditedState = new Map(auditedRuns.map((id) => [id, 'DRAFT']));
      const bareState = new Map(bareRuns.map((id) => [id, 'DRAFT']));
      const turn = { audited: [] as number[], bare: [] as number[], raw: [] as number[] };
      const next = (variant: Variant, runs: string[], client: number): string => {
        const n = turn[variant][client] ?? 0;
        turn[variant][client] = n + 1;
        return runs[client * config.runsPerClient + (n % config.runsPerClient)] as string;
      };

      // Submit and reject alternate (DRAFT -> SUBMITTED -> DRAFT ...), so a
      // run takes any number of transitions, each a full new version.
      const ops: Record<Variant, (client: number) => Promise<void>> = {
        async audited(client) {
          const id = next('audited', auditedRuns, client);
          const submitting = auditedState.get(id) === 'DRAFT';
          const result = submitting
            ? await invoke(submit, {
                path: `/payroll-runs/${id}/submit`,
                routePath: '/payroll-runs/{id}/submit',
                id,
                sub: `client-${client}`,
              })
            : await invoke(reject, {
                path: `/payroll-runs/${id}/reject`,
                routePath: '/payroll-runs/{id}/reject',
                id,
                sub: `client-${client}`,
                body: { reason: 'figures do not match the ledger' },
              });
          if (result.statusCode !== 200) throw new Error(`transition failed: ${result.body}`);
          auditedState.set(id, submitting ? 'SUBMITTED' : 'DRAFT');
        },
        async bare(client) {
          const id = next('bare', bareRuns, client);
          const submitting = bareState.get(id) === 'DRAFT';
          await pool.query(
            `UPDATE bench_bare_state
                SET status = $3, submitted_by = $4, rejection_reason = $5,
                    version = version + 1, updated_at = now()
              WHERE id = $1 AND tenant_id = $2`,
            [
              id,
              TENANT,
              submitting ? 'SUBMITTED' : 'DRAFT',
              submitting ? `client-${client}` : null,
              submitting ? null : 'figures do not match the ledger',
            ],
          );
          bareState.set(id, submitting ? 'SUBMITTED' : 'DRAFT');
        },
        raw: (client) => rawTransition(pool, next('raw', rawRuns, client), `client-${client}`),
      };

      measurements.push(...(await measureRounds(config, ops, context.log)));
    } finally {
      await pool.end();
      await closeDb();
      restore('DATABASE_URL', saved.url);
      restore('DATABASE_POOL_MAX', saved.max);
      await database.drop();
      await server.stop();
    }

    const { rows, results, targets } = report(measurements, config.clients);
    return {
      startedAt,
      durationMs: performance.now() - began,
      config: {
        ...config,
        postgres: server.version,
        transition:
          'payroll run submit / reject, alternating; each client cycles through runs of its own',
        poolSize: maxClients,
        variants: LABELS,
      },
      rows,
      results,
      targets,
    };
  },
};

/**
 * Every client count, every round, every variant: a round runs the variants
 * in a rotated order, so drift on a shared machine hits all of them alike.
 */
async function measureRounds(
  config: WritePathConfig,
  ops: Record<Variant, (client: number) => Promise<void>>,
  log: (message: string) => void,
): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const clients of config.clients) {
    for (let round = 0; round < config.rounds; round++) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length] as Variant);
      for (const variant of order) {
        const cpu = process.cpuUsage();
        const machineBefore = machineCpu();
        const result = await closedLoop({
          clients,
          warmupMs: config.warmupMs,
          durationMs: config.durationMs,
          op: ops[variant],
        });
        const wallMs = config.warmupMs + result.elapsedMs;
        const used = process.cpuUsage(cpu);
        measurements.push({
          clients,
          round,
          variant,
          ...result,
          machineCpuCores: coresBusySince(machineBefore, wallMs),
          nodeCpuCores: (used.user + used.system) / 1000 / wallMs,
        });
        log(
          `${clients} client(s), round ${round + 1}, ${variant}: ${Math.round(result.opsPerSecond)} ops/s`,
        );
      }
    }
  }
  return measurements;
}

/** Per client count: (a) against (b) and (c), throughput and latency, with the raw figures. */
function report(measurements: Measurement[], clientCounts: number[]) {
  const rows: Row[] = [];
  const targets = [];
  const results = [];
  for (const clients of clientCounts) {
    const of = (variant: Variant) =>
      measurements.filter((m) => m.clients === clients && m.variant === variant);
    const combine = (variant: Variant): Combined => {
      const runs = of(variant);
      const ops = runs.reduce((sum, m) => sum + m.ops, 0);
      const elapsedMs = runs.reduce((sum, m) => sum + m.elapsedMs, 0);
      return {
        ops,
        errors: runs.reduce((sum, m) => sum + m.errors, 0),
        opsPerSecond: (ops / elapsedMs) * 1000,
        latency: summarize(Float64Array.from(runs.flatMap((m) => Array.from(m.latenciesMs)))),
        machineCpuCores: runs.reduce((sum, m) => sum + m.machineCpuCores, 0) / runs.length,
        nodeCpuCores: runs.reduce((sum, m) => sum + m.nodeCpuCores, 0) / runs.length,
      };
    };
    const combined: Record<Variant, Combined> = {
      audited: combine('audited'),
      bare: combine('bare'),
      raw: combine('raw'),
    };
    const perRound = (baseline: Variant) =>
      of('audited').map((m) => {
        const base = of(baseline).find((b) => b.round === m.round);
        return round(base ? m.opsPerSecond / base.opsPerSecond : Number.NaN);
      });
    const a = combined.audited;
    const b = combined.bare;
    const c = combined.raw;
    rows.push(
      {
        label: `${clients} client(s): (a)/(b) throughput`,
        value: a.opsPerSecond,
        unit: 'ops/s',
        baseline: { label: 'bare UPDATE', value: b.opsPerSecond },
        ratio: a.opsPerSecond / b.opsPerSecond,
      },
      {
        label: `${clients} client(s): (a)/(c) throughput`,
        value: a.opsPerSecond,
        unit: 'ops/s',
        baseline: { label: 'raw SQL floor', value: c.opsPerSecond },
        ratio: a.opsPerSecond / c.opsPerSecond,
        note:
          `per round ${perRound('raw').join(', ')}; ` +
          `CPU: this process ${a.nodeCpuCores.toFixed(2)} (a) / ${c.nodeCpuCores.toFixed(2)} (c), ` +
          `machine ${a.machineCpuCores.toFixed(1)} / ${c.machineCpuCores.toFixed(1)} cores`,
      },
    );
    for (const q of ['p50', 'p99'] as const) {
      rows.push({
        label: `${clients} client(s): (a) ${q} latency vs (c)`,
        value: a.latency[q],
        unit: 'ms',
        baseline: { label: `raw SQL ${q}`, value: c.latency[q] },
        ratio: a.latency[q] / c.latency[q],
      });
    }
    rows.push({
      label: `${clients} client(s): (b) p50 / p99 latency`,
      value: b.latency.p50,
      unit: 'ms',
      note: `p99 ${round(b.latency.p99)} ms`,
    });
    if (clients === 8)
      targets.push(
        target('(a)/(c) throughput at 8 clients', a.opsPerSecond / c.opsPerSecond, '>=', 0.7),
      );
    results.push({
      clients,
      ...Object.fromEntries(
        VARIANTS.map((variant) => {
          const v = combined[variant];
          return [
            variant,
            {
              description: LABELS[variant],
              ops: v.ops,
              errors: v.errors,
              opsPerSecond: round(v.opsPerSecond),
              latencyMs: Object.fromEntries(
                Object.entries(v.latency).map(([k, value]) => [
                  k,
                  k === 'count' ? value : round(value),
                ]),
              ),
              machineCpuCores: round(v.machineCpuCores),
              nodeCpuCores: round(v.nodeCpuCores),
            },
          ];
        }),
      ),
      ratios: {
        auditedOverBare: round(a.opsPerSecond / b.opsPerSecond),
        auditedOverRaw: round(a.opsPerSecond / c.opsPerSecond),
        auditedOverRawPerRound: perRound('raw'),
        auditedOverBarePerRound: perRound('bare'),
      },
    });
  }
  return { rows, results, targets };
}

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/**
 * What the write unit sends for one transition (idempotency off), written
 * by hand on a plain pg pool: lock, update, audit row, event, transition,
 * commit. The decision (submit or reject) is taken from the locked row, as
 * the write unit does; before/after snapshots are the rows as read.
 */
export async function rawTransition(pool: pg.Pool, id: string, actor: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: locked } = await client.query(
      'SELECT * FROM payroll_runs WHERE id = $1 AND tenant_id = $2 FOR UPDATE',
      [id, TENANT],
    );
    const current = locked[0] as { status: string; version: number } | undefined;
    if (!current) throw new Error('run not found');
    const submitting = current.status === 'DRAFT';
    const reason = 'figures do not match the ledger';
    // one-rule-allow: the benchmark's raw-SQL floor, with the audit row, event and transition the database demands
    const { rows: updated } = await client.query(
      `UPDATE payroll_runs SET submitted_by = $1, rejection_reason = $2, status = $3, version = $4,
              updated_at = now()
        WHERE id = $5 AND tenant_id = $6 RETURNING *`,
      [
        submitting ? actor : null,
        submitting ? null : reason,
        submitting ? 'SUBMITTED' : 'DRAFT',
        current.version + 1,
        id,
        TENANT,
      ],
    );
    const after = updated[0] as { status: string; version: number };
    const auditId = uuidv7();
    const eventId = uuidv7();
    const correlationId = randomUUID();
    await client.query(
      `INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version,
                              before, after, correlation_id, causation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7,
               -- Snapshots as the database checks them: the previous version's
               -- recorded after, and the row as written (this client parses
               -- dates and bigints differently from the write unit's pool).
               (SELECT p.after FROM audit_log p WHERE p.entity_type = 'payroll_run'
                  AND p.entity_id = $6 AND p.entity_version = $7 - 1),
               (SELECT to_jsonb(r) FROM payroll_runs r WHERE r.id = $6), $8, $9)`,
      [
        auditId,
        TENANT,
        actor,
        submitting ? 'PayrollRunSubmitted' : 'PayrollRunRejected',
        'payroll_run',
        id,
        after.version,
        correlationId,
        null,
      ],
    );
    await client.query(
      `INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                           payload, correlation_id, causation_id, actor)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        eventId,
        TENANT,
        'payroll_run',
        id,
        after.version,
        submitting ? 'payroll.run_submitted.v1' : 'payroll.run_rejected.v1',
        JSON.stringify(submitting ? { submittedBy: actor } : { rejectedBy: actor, reason }),
        correlationId,
        null,
        actor,
      ],
    );
    await client.query(
      `INSERT INTO state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command,
                                      from_status, to_status, actor, correlation_id, audit_id, outbox_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        uuidv7(),
        TENANT,
        'payroll_run',
        id,
        after.version,
        submitting ? 'submit' : 'reject',
        current.status,
        after.status,
        actor,
        correlationId,
        auditId,
        eventId,
      ],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
