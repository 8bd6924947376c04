import { closeDb } from '@auditflow/db';
import { lambdaContext, toApiGatewayEvent } from '@auditflow/local';
import { createBenchDatabase, startBenchServer } from './database';
import { type Benchmark, closedLoop, type Row, round, summarize, target } from './harness';
import { seedEwaRequests } from './seed-ewa';
import { routeHandler } from './write-path';

export interface LedgerConfig {
  clients: number;
  /** Requests each client consumes per variant: a request is disbursed (or approved) once. */
  requestsPerClient: number;
  /** Each round runs every variant once, in a rotated order, so drift hits all alike. */
  rounds: number;
  warmupMs: number;
  durationMs: number;
}

/**
 * - plain: approve (REQUESTED -> APPROVED) through the API handler: the same
 *   write path (lock, update, audit row, transition, event) without a ledger.
 * - own: disburse through the API handler, each client a tenant of its own,
 *   so nothing of the ledger is shared between clients.
 * - shared: disburse, every client an employee of one tenant, so every entry
 *   posts to the same funding-cash account.
 */
type Variant = 'plain' | 'own' | 'shared';
const VARIANTS: Variant[] = ['plain', 'own', 'shared'];
const LABELS: Record<Variant, string> = {
  plain: 'approve (no ledger)',
  own: 'disburse, funding account per client',
  shared: 'disburse, one funding account for all',
};

const SHARED_TENANT = 'bench-ledger';
const tenantOf = (variant: Variant, client: number) =>
  variant === 'own' ? `bench-ledger-${client}` : SHARED_TENANT;

/**
 * Disbursements per second through the API handler as deployed (as
 * auditflow_api, 8 clients), each booking its journal entry, against the
 * same kind of transition without the ledger, in rotated rounds of the same
 * run; and with one funding account shared by every client, which shows what
 * contention on it costs (none, by design: it keeps no running balance, so no
 * posting locks or updates its row).
 */
export const ledger: Benchmark<LedgerConfig> = {
  name: 'ledger',
  description:
    'disbursements/s with their journal entries against the same transition without a ledger, and with one shared funding account',
  full: () => ({
    clients: 8,
    requestsPerClient: 1_500,
    rounds: 4,
    warmupMs: 500,
    durationMs: 3_000,
  }),
  smoke: () => ({ clients: 2, requestsPerClient: 150, rounds: 1, warmupMs: 100, durationMs: 300 }),
  async run(config, context) {
    const startedAt = new Date().toISOString();
    const began = performance.now();
    const server = await startBenchServer(context);
    const database = await createBenchDatabase(server, 'ledger');
    const saved = { url: process.env.DATABASE_URL, max: process.env.DATABASE_POOL_MAX };
    await closeDb();
    process.env.DATABASE_URL = database.roleUrl('api');
    process.env.DATABASE_POOL_MAX = String(config.clients);
    const results: Record<Variant, { opsPerSecond: number; p99: number; errors: number }[]> = {
      plain: [],
      own: [],
      shared: [],
    };
    try {
      const approve = await routeHandler('POST', '/ewa-requests/{id}/approve');
      const disburse = await routeHandler('POST', '/ewa-requests/{id}/disburse');
      const queues = {} as Record<Variant, string[][]>;
      for (const variant of VARIANTS) {
        queues[variant] = [];
        for (let client = 0; client < config.clients; client++) {
          const tenantId = tenantOf(variant, client);
          queues[variant][client] = await seedEwaRequests(database, {
            tenantId,
            employeeId: `emp-${variant}-${client}`,
            requests: config.requestsPerClient,
            approved: variant !== 'plain',
          });
        }
      }
      // Every disbursement is 1 minor unit; the limit is not what is measured.
      for (const tenant of new Set(
        Array.from({ length: config.clients }, (_, c) => [
          tenantOf('own', c),
          SHARED_TENANT,
        ]).flat(),
      )) {
        await database.sql(
          `INSERT INTO ledger_limits VALUES ($1, 'ewa-receivable', '*', 1000000000000)`,
          [tenant],
        );
      }
      await database.sql('VACUUM ANALYZE');

      const op = (variant: Variant) => async (client: number) => {
        const id = queues[variant][client]?.pop();
        if (!id) throw new Error(`client ${client} ran out of ${variant} requests`);
        const command = variant === 'plain' ? 'approve' : 'disburse';
        const event = toApiGatewayEvent(
          {
            method: 'POST',
            path: `/ewa-requests/${id}/${command}`,
            rawQueryString: '',
            headers: { host: 'api.bench.test' },
            body: undefined,
            sourceIp: '127.0.0.1',
          },
          { routeKey: `POST /ewa-requests/{id}/${command}`, pathParameters: { id } },
          {
            tenant_id: tenantOf(variant, client),
            sub: `client-${client}`,
            scope: 'ewa:approve ewa:disburse',
          },
        );
        const handler = variant === 'plain' ? approve : disburse;
        const result = await handler(event, lambdaContext(`/ewa-requests/{id}/${command}`));
        if (result.statusCode !== 200) throw new Error(`${command} failed: ${result.body}`);
      };

      for (let r = 0; r < config.rounds; r++) {
        const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length] as Variant);
        for (const variant of order) {
          const result = await closedLoop({
            clients: config.clients,
            warmupMs: config.warmupMs,
            durationMs: config.durationMs,
            op: op(variant),
          });
          results[variant].push({
            opsPerSecond: result.opsPerSecond,
            p99: summarize(result.latenciesMs).p99,
            errors: result.errors,
          });
          context.log(
            `round ${r + 1}, ${LABELS[variant]}: ${Math.round(result.opsPerSecond)} ops/s, ${result.errors} errors`,
          );
        }
      }
      await assertBalancedBooks(database);
    } finally {
      await closeDb();
      restore('DATABASE_URL', saved.url);
      restore('DATABASE_POOL_MAX', saved.max);
      await database.drop();
      await server.stop();
    }

    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const rate = (variant: Variant) => mean(results[variant].map((m) => m.opsPerSecond));
    const p99 = (variant: Variant) => mean(results[variant].map((m) => m.p99));
    const perRound = (a: Variant, b: Variant) =>
      results[a].map((m, i) => round(m.opsPerSecond / (results[b][i]?.opsPerSecond ?? Number.NaN)));
    const [plain, own, shared] = [rate('plain'), rate('own'), rate('shared')];
    const rows: Row[] = [
      {
        label: `${config.clients} clients: ${LABELS.own} / ${LABELS.plain}`,
        value: own,
        unit: 'ops/s',
        baseline: { label: LABELS.plain, value: plain },
        ratio: own / plain,
        note: `per round ${perRound('own', 'plain').join(', ')}`,
      },
      {
        label: `${config.clients} clients: ${LABELS.shared} / ${LABELS.plain}`,
        value: shared,
        unit: 'ops/s',
        baseline: { label: LABELS.plain, value: plain },
        ratio: shared / plain,
        note: `per round ${perRound('shared', 'plain').join(', ')}`,
      },
      {
        label: `${config.clients} clients: contention, ${LABELS.shared} / ${LABELS.own}`,
        value: shared,
        unit: 'ops/s',
        baseline: { label: LABELS.own, value: own },
        ratio: shared / own,
        note: `per round ${perRound('shared', 'own').join(', ')}`,
      },
      {
        label: `${config.clients} clients: p99 latency, ${LABELS.shared} / ${LABELS.plain}`,
        value: p99('shared'),
        unit: 'ms',
        baseline: { label: LABELS.plain, value: p99('plain') },
        ratio: p99('shared') / p99('plain'),
      },
    ];
    return {
      startedAt,
      durationMs: performance.now() - began,
      config: { ...config, postgres: server.version },
      rows,
      results: [results],
      targets: [
        target('disburse with ledger / same transition without', own / plain, '>=', 0.8),
        target('disburse, one shared funding account / without ledger', shared / plain, '>=', 0.6),
      ],
    };
  },
};

/** What was measured must also be true: the books reconcile after the run. */
async function assertBalancedBooks(database: {
  sql: (text: string) => Promise<{ rows: { faults: number }[] }>;
}): Promise<void> {
  const { rows } = await database.sql(
    `SELECT (SELECT count(*) FROM ledger_accounts a WHERE a.keeps_balance AND a.debits_posted <>
               (SELECT coalesce(sum(amount_minor), 0) FROM ledger_postings p WHERE p.account_id = a.id AND p.side = 'debit'))
          + (SELECT count(*) FROM outbox o WHERE o.event_type = 'ewa.request_disbursed.v1'
               AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.event_id = o.id)) AS faults`,
  );
  if (Number(rows[0]?.faults) !== 0) throw new Error('the books do not reconcile after the run');
}

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
