import pg from 'pg';
import type { BenchDatabase } from './database';

export interface EventSeed {
  tenantId: string;
  /** Distinct payroll runs; each gets `versions` versions, one event each. */
  aggregates: number;
  versions: number;
  /** Published events are marked so after the seeding commits, as the relay marks them. */
  status: 'pending' | 'published';
  /** Runs per transaction: the commit check holds every row version of one in memory. */
  chunk?: number;
}

const STATUSES = ['DRAFT', 'SUBMITTED', 'APPROVED', 'PAID'];
const EVENT_TYPES = [
  'payroll.run_created.v1',
  'payroll.run_submitted.v1',
  'payroll.run_approved.v1',
  'payroll.run_paid.v1',
];
const ACTIONS = [
  'PayrollRunCreated',
  'PayrollRunSubmitted',
  'PayrollRunApproved',
  'PayrollRunPaid',
];

/**
 * Creates `aggregates` payroll runs with `versions` versions each; every
 * version has its audit row, transition and outbox event, written in the
 * transaction that wrote the version, as the database demands at commit (it
 * refuses an event without its change, and a change without its history).
 * Set-based SQL, version after version, so event ids (UUIDv7, time-ordered)
 * come version-major, as a stream of runs moving through their workflow
 * (created, submitted, approved, paid) would leave them. Payloads are the
 * size of a real `payroll.run_paid.v1`. Returns the number of events.
 */
export async function seedEvents(database: BenchDatabase, seed: EventSeed): Promise<number> {
  const id = (await hasUuidv7(database)) ? 'uuidv7()' : UUIDV7_FALLBACK;
  const chunk = seed.chunk ?? 25_000;
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  let events = 0;
  try {
    for (let done = 0; done < seed.aggregates; done += chunk) {
      const runs = Math.min(chunk, seed.aggregates - done);
      await client.query('BEGIN');
      try {
        // Relay fodder, not true history: seeded as the owner with the
        // triggers off, which no login role may do.
        await client.query('SET LOCAL session_replication_role = replica');
        await client.query(
          `CREATE TEMP TABLE bench_seed_runs ON COMMIT DROP AS
           SELECT gen_random_uuid() AS id, n FROM generate_series(${done + 1}, ${done + runs}) AS n`,
        );
        await client.query(
          // one-rule-allow: bulk seeding for benchmarks, with the full history the database demands
          `INSERT INTO payroll_runs (id, tenant_id, status, version, period_start, period_end,
                                     pay_date, currency, gross_total_minor, employee_count, created_by)
           SELECT id, $1, 'DRAFT', 1, '2026-11-01', '2026-11-30', '2026-12-01', 'EUR',
                  1000000 + n, 1 + n % 500, 'bench-seed'
             FROM bench_seed_runs`,
          [seed.tenantId],
        );
        events += await history(client, 1);
        for (let version = 2; version <= seed.versions; version++) {
          await client.query(
            // one-rule-allow: bulk seeding for benchmarks, with the full history the database demands
            `UPDATE payroll_runs r SET version = r.version + 1, status = $1, updated_at = now()
               FROM bench_seed_runs s WHERE r.id = s.id`,
            [statusOf(version)],
          );
          events += await history(client, version);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    }
    if (seed.status === 'published') {
      // The statement the relay's markPublished runs, for the whole seed at once.
      await client.query(
        `UPDATE outbox SET status = 'published', published_at = now()
          WHERE tenant_id = $1 AND status = 'pending'`,
        [seed.tenantId],
      );
    }
  } finally {
    await client.end();
  }
  return events;

  async function history(client: pg.Client, version: number): Promise<number> {
    const at = (list: string[]) => list[(version - 1) % list.length] as string;
    const { rowCount } = await client.query(
      `WITH runs AS (SELECT id, n FROM bench_seed_runs ORDER BY n),
       audits AS (
         INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version,
                                after, correlation_id)
         SELECT gen_random_uuid(), $1, 'bench-seed', $2, 'payroll_run', id, ${version}, '{}',
                'bench-seed-' || id
           FROM runs
         RETURNING id, entity_id
       ),
       events AS (
         INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                             event_type, payload, correlation_id, actor)
         SELECT ${id}, $1, 'payroll_run', id, ${version}, $3,
                jsonb_build_object('paidBy', 'bench-user', 'periodStart', '2026-11-01',
                  'periodEnd', '2026-11-30', 'payDate', '2026-12-01', 'currency', 'EUR',
                  'grossTotalMinor', 1000000 + n, 'employeeCount', 1 + n % 500),
                'bench-seed-' || id, 'bench-seed'
           FROM runs
         RETURNING id, aggregate_id
       )
       INSERT INTO state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command,
                                      from_status, to_status, actor, correlation_id, audit_id,
                                      outbox_id)
       SELECT gen_random_uuid(), $1, 'payroll_run', a.entity_id, ${version}, 'seed', $4, $5,
              'bench-seed', 'bench-seed-' || a.entity_id, a.id, e.id
         FROM audits a JOIN events e ON e.aggregate_id = a.entity_id`,
      [
        seed.tenantId,
        at(ACTIONS),
        at(EVENT_TYPES),
        version === 1 ? null : statusOf(version - 1),
        statusOf(version),
      ],
    );
    return rowCount ?? 0;
  }
}

const statusOf = (version: number) => STATUSES[(version - 1) % STATUSES.length] as string;

async function hasUuidv7(database: BenchDatabase): Promise<boolean> {
  const { rows } = await database.sql<{ ok: boolean }>(
    `SELECT to_regprocedure('uuidv7()') IS NOT NULL AS ok`,
  );
  return rows[0]?.ok ?? false;
}

/** UUIDv7 for servers before PostgreSQL 18: millisecond timestamp in front, random after. */
const UUIDV7_FALLBACK = `encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing
  substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
  FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid`;

/** Counts outbox rows by status. */
export async function outboxCounts(database: BenchDatabase): Promise<Record<string, number>> {
  const { rows } = await database.sql<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM outbox GROUP BY status`,
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/**
 * Creates `runs` payroll runs in DRAFT at version 1, each with the audit
 * row (a true snapshot), outbox event and transition the database demands at commit, in one
 * transaction of set-based SQL. Returns their ids.
 */
export async function seedPayrollRuns(
  database: BenchDatabase,
  options: { tenantId: string; runs: number },
): Promise<string[]> {
  // one-rule-allow: bulk seeding for benchmarks, with the full history the database demands
  const { rows } = await database.sql<{ id: string }>(
    `WITH runs AS (
       INSERT INTO payroll_runs (id, tenant_id, status, version, period_start, period_end, pay_date,
                                 currency, gross_total_minor, employee_count, created_by)
       SELECT gen_random_uuid(), $1, 'DRAFT', 1, '2026-11-01', '2026-11-30', '2026-12-01', 'EUR',
              1000000 + n, 12, 'bench-seed'
         FROM generate_series(1, ${options.runs}) AS n
       RETURNING *
     ),
     audits AS (
       INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version,
                              after, correlation_id)
       SELECT gen_random_uuid(), $1, 'bench-seed', 'PayrollRunCreated', 'payroll_run', id, 1,
              to_jsonb(runs), 'bench-seed-' || id
         FROM runs
       RETURNING id, entity_id
     ),
     events AS (
       INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                           payload, correlation_id, actor)
       SELECT gen_random_uuid(), $1, 'payroll_run', id, 1, 'payroll.run_created.v1', '{}',
              'bench-seed-' || id, 'bench-seed'
         FROM runs
       RETURNING id, aggregate_id
     ),
     transitions AS (
       INSERT INTO state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command,
                                      to_status, actor, correlation_id, audit_id, outbox_id)
       SELECT gen_random_uuid(), $1, 'payroll_run', a.entity_id, 1, 'create', 'DRAFT', 'bench-seed',
              'bench-seed-' || a.entity_id, a.id, e.id
         FROM audits a JOIN events e ON e.aggregate_id = a.entity_id
     )
     SELECT id FROM runs ORDER BY id`,
    [options.tenantId],
  );
  return rows.map((row) => row.id);
}
