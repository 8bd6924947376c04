import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { aPayrollRun, type Caller, call } from '../support/api';
import { useKillableDatabase } from '../support/killable-database';
import { waitFor } from '../support/wait';

// The server of this file can hold a COMMIT after it is durable (it waits for
// a standby that never comes), but only for a transaction that asks: see
// holdCommitsOf. Every other commit is local, as usual.
const database = useKillableDatabase({
  postgresFlags: ['-c', 'synchronous_standby_names=nobody', '-c', 'synchronous_commit=local'],
});

/** Generous for a slow machine: the pool gives up connecting after 3 s. */
const ANSWER_BOUND_MS = 10_000;

let tenantCounter = 0;
const newCaller = (): Caller => ({ tenant: `outage-${++tenantCounter}`, sub: 'alice' });

function expectUnavailable(
  response: Awaited<ReturnType<typeof call>>,
  code = 'database_unavailable',
) {
  expect(response.status).toBe(503);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(response.body).toMatchObject({ status: 503, code, type: `urn:auditflow:problem:${code}` });
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

async function counts(tenant: string) {
  const { rows } = await database.sql(
    `SELECT (SELECT count(*)::int FROM payroll_runs WHERE tenant_id = $1) AS runs,
            (SELECT coalesce(max(version), 0)::int FROM payroll_runs WHERE tenant_id = $1) AS version,
            (SELECT count(*)::int FROM audit_log WHERE tenant_id = $1) AS audits,
            (SELECT count(*)::int FROM state_transitions WHERE tenant_id = $1) AS transitions,
            (SELECT count(*)::int FROM outbox WHERE tenant_id = $1) AS events,
            (SELECT count(*)::int FROM idempotency_keys WHERE tenant_id = $1) AS keys`,
    [tenant],
  );
  return rows[0];
}

/** The pid of the API's backend that waits on `waitEvent` (a lock, or a standby). */
async function backendWaitingOn(waitEvent: string): Promise<number | undefined> {
  const { rows } = await database.sql(
    `SELECT pid FROM pg_stat_activity
      WHERE application_name = 'auditflow' AND datname = current_database()
        AND (wait_event_type = $1 OR wait_event = $1)`,
    [waitEvent],
  );
  return rows[0]?.pid;
}

/**
 * Makes the tenant's transactions that insert a payroll run wait, at COMMIT,
 * for a synchronous standby: the commit is durable but not yet acknowledged,
 * exactly the moment a lost connection leaves its outcome unknown.
 */
async function holdCommitsOf(tenant: string) {
  await database.sql(`
    CREATE OR REPLACE FUNCTION test_hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM set_config('synchronous_commit', 'on', true);
      RETURN NEW;
    END $$`);
  await database.sql(`
    CREATE TRIGGER test_hold_commit BEFORE INSERT ON payroll_runs FOR EACH ROW
      WHEN (NEW.tenant_id = '${tenant}') EXECUTE FUNCTION test_hold_commit()`);
  return () => database.sql('DROP TRIGGER test_hold_commit ON payroll_runs');
}

/** Makes the tenant's run-creating transactions end their own connection as they commit. */
async function dropConnectionAtCommitOf(tenant: string) {
  await database.sql(`
    CREATE OR REPLACE FUNCTION test_drop_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_terminate_backend(pg_backend_pid());
      PERFORM pg_sleep(5);
      RETURN NEW;
    END $$`);
  await database.sql(`
    CREATE CONSTRAINT TRIGGER test_drop_at_commit AFTER INSERT ON payroll_runs
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
      WHEN (NEW.tenant_id = '${tenant}') EXECUTE FUNCTION test_drop_at_commit()`);
  return () => database.sql('DROP TRIGGER test_drop_at_commit ON payroll_runs');
}

describe('a connection lost in the middle of a write', () => {
  it('answers 503 database_unavailable when the connection dies while the transaction holds it, writes nothing, and a retry with the same Idempotency-Key then writes once', async () => {
    const alice = newCaller();
    const run = (await call('POST', '/payroll-runs', { as: alice, body: aPayrollRun })).body;
    const before = await counts(alice.tenant);
    const headers = { 'Idempotency-Key': randomUUID() };

    // Another session holds the run's row lock, so the submit stops between
    // its statements (key claimed, row lock awaited) with its transaction open.
    const blocker = new pg.Client({ connectionString: database.url() });
    blocker.on('error', () => {});
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM payroll_runs WHERE id = $1 FOR UPDATE', [run.id]);
      const submitting = call('POST', `/payroll-runs/${run.id}/submit`, { as: alice, headers });
      const pid = await waitFor('the submit to wait for the row lock', () =>
        backendWaitingOn('Lock'),
      );
      await database.sql('SELECT pg_terminate_backend($1)', [pid]);
      expectUnavailable(await submitting);
      await blocker.query('ROLLBACK');
    } finally {
      await blocker.end();
    }
    expect(await counts(alice.tenant)).toEqual(before);

    const retried = await call('POST', `/payroll-runs/${run.id}/submit`, { as: alice, headers });
    expect(retried.status).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(retried.body).toMatchObject({ status: 'SUBMITTED', version: 2 });
    const again = await call('POST', `/payroll-runs/${run.id}/submit`, { as: alice, headers });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await counts(alice.tenant)).toMatchObject({ version: 2, audits: 2, events: 2 });
  });

  it('answers 503 commit_outcome_unknown when the connection dies during a COMMIT that took effect, and the retry with the same Idempotency-Key returns the committed result', async () => {
    const alice = newCaller();
    const release = await holdCommitsOf(alice.tenant);
    const headers = { 'Idempotency-Key': randomUUID() };
    try {
      const creating = call('POST', '/payroll-runs', { as: alice, body: aPayrollRun, headers });
      const pid = await waitFor('the COMMIT to wait for the standby', () =>
        backendWaitingOn('SyncRep'),
      );
      await database.sql('SELECT pg_terminate_backend($1)', [pid]);
      expectUnavailable(await creating, 'commit_outcome_unknown');
    } finally {
      await release();
    }
    // Committed although the client never heard so: one run with its history.
    expect(await counts(alice.tenant)).toEqual({
      runs: 1,
      version: 1,
      audits: 1,
      transitions: 1,
      events: 1,
      keys: 1,
    });

    const retried = await call('POST', '/payroll-runs', { as: alice, body: aPayrollRun, headers });
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    const { rows } = await database.sql('SELECT id FROM payroll_runs WHERE tenant_id = $1', [
      alice.tenant,
    ]);
    expect(retried.body).toMatchObject({ id: rows[0]?.id, status: 'DRAFT', version: 1 });
    expect(await counts(alice.tenant)).toMatchObject({ runs: 1, events: 1 });
  });

  it('answers 503 commit_outcome_unknown when the connection dies during a COMMIT that did not take effect, and the retry with the same Idempotency-Key writes it', async () => {
    const alice = newCaller();
    const remove = await dropConnectionAtCommitOf(alice.tenant);
    const headers = { 'Idempotency-Key': randomUUID() };
    try {
      const lost = await call('POST', '/payroll-runs', { as: alice, body: aPayrollRun, headers });
      expectUnavailable(lost, 'commit_outcome_unknown');
    } finally {
      await remove();
    }
    expect(await counts(alice.tenant)).toMatchObject({ runs: 0, events: 0, keys: 0 });

    const retried = await call('POST', '/payroll-runs', { as: alice, body: aPayrollRun, headers });
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await counts(alice.tenant)).toMatchObject({ runs: 1, audits: 1, events: 1, keys: 1 });
  });
});

describe('while Postgres is down', () => {
  it('answers 503 database_unavailable with Retry-After, within seconds, to reads, creations and transitions', async () => {
    const alice = newCaller();
    const run = (await call('POST', '/payroll-runs', { as: alice, body: aPayrollRun })).body;
    await database.kill();

    const requests = [
      () => call('POST', '/payroll-runs', { as: alice, body: aPayrollRun }),
      () =>
        call('POST', `/payroll-runs/${run.id}/submit`, {
          as: alice,
          headers: { 'Idempotency-Key': randomUUID() },
        }),
      () => call('GET', '/payroll-runs', { as: alice }),
      () => call('GET', `/payroll-runs/${run.id}`, { as: alice }),
    ];
    for (const request of requests) {
      const { result, ms } = await timed(request);
      expectUnavailable(result);
      expect(ms).toBeLessThan(ANSWER_BOUND_MS);
    }
  });

  it('reports the database as down on /health, and answers it all the same', async () => {
    const { result, ms } = await timed(() => call('GET', '/health', { as: null }));
    expect(result).toMatchObject({ status: 200, body: { status: 'degraded', database: 'down' } });
    expect(ms).toBeLessThan(ANSWER_BOUND_MS);
  });

  it('serves writes again once Postgres is back, without a restart', async () => {
    const alice = newCaller();
    await database.restart();
    const created = await waitFor(
      'a write to succeed',
      async () => {
        const response = await call('POST', '/payroll-runs', { as: alice, body: aPayrollRun });
        return response.status === 201 ? response : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(created.body).toMatchObject({ status: 'DRAFT', version: 1 });
    expect(await call('GET', '/health', { as: null })).toMatchObject({
      body: { status: 'ok', database: 'up' },
    });
  });
});
