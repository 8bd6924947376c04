import { setTimeout as sleep } from 'node:timers/promises';
import { createPayrollRun, submitPayrollRun } from '@auditflow/domain';
import { localEventBridgeClient } from '@auditflow/local';
import { describe, expect, it } from 'vitest';
import {
  claimEvents,
  markDead,
  releaseClaims,
  scheduleRetries,
} from '../../packages/relay/src/statements';
import { aPayrollRun } from '../support/api';
import { useTestDatabase } from '../support/database';
import {
  acceptedCounts,
  BUS,
  outboxStatusCounts,
  relayFor,
  useEventBridgeEndpoint,
} from '../support/relay';
import { seedPayrollRuns } from '../support/seed';

const database = useTestDatabase();
const endpoint = useEventBridgeEndpoint();

let counter = 0;
const newTenant = () => `relay-${++counter}`;

async function drainAll(relay: ReturnType<typeof relayFor>) {
  return relay.drain({ until: Date.now() + 20_000 });
}

describe('the relay', () => {
  it('publishes committed events with the documented envelope and marks them published', async () => {
    const tenantId = newTenant();
    const ctx = { tenantId, actor: 'alice', correlationId: 'corr-envelope', causationId: null };
    const { state } = await createPayrollRun(database.db(), ctx, aPayrollRun);
    await submitPayrollRun(database.db(), ctx, { id: state.id });

    const result = await drainAll(relayFor(database, endpoint()));
    expect(result).toMatchObject({ published: 2, dead: 0 });
    const [created, submitted] = endpoint().accepted;
    expect(created).toMatchObject({
      source: 'auditflow.payroll',
      detailType: 'payroll.run_created.v1',
      eventBusName: BUS,
      detail: {
        type: 'payroll.run_created.v1',
        tenantId,
        aggregate: { type: 'payroll_run', id: state.id, version: 1 },
        correlationId: 'corr-envelope',
        causationId: null,
        actor: 'alice',
        data: aPayrollRun,
      },
    });
    expect(submitted?.detail).toMatchObject({ aggregate: { version: 2 } });
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: 2 });
  });

  it('does nothing, and claims nothing, when nothing is pending', async () => {
    const result = await relayFor(database, endpoint()).runPass();
    expect(result.claimed).toBe(0);
    expect(endpoint().requestCount()).toBe(0);
  });

  it('sends at most 10 entries and 256 KB per PutEvents request', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 45, payloadPadding: 60_000 });
    await drainAll(relayFor(database, endpoint()));
    expect(acceptedCounts(endpoint()).size).toBe(45);
    // 60 KB entries: four fit in 256 KB, so at least 12 requests for 45.
    expect(endpoint().requestCount()).toBeGreaterThanOrEqual(12);
  });

  it('dead-letters an event too large for EventBridge with a clear reason and publishes the others', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 3 });
    await seedPayrollRuns(database, {
      tenantId: `${tenantId}-big`,
      runs: 1,
      payloadPadding: 300_000,
    });
    const result = await drainAll(relayFor(database, endpoint()));
    expect(result).toMatchObject({ published: 3, dead: 1 });
    const { rows } = await database.sql(
      `SELECT status, last_error FROM outbox WHERE tenant_id = $1`,
      [`${tenantId}-big`],
    );
    expect(rows).toEqual([
      {
        status: 'dead',
        last_error: expect.stringMatching(/^EntryTooLarge: the entry is \d+ bytes/),
      },
    ]);
  });

  it('retries throttled, failed and timed-out requests until every event is published once', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 30 });
    endpoint().faults.nextRequests.push('throttle', 'server-error', 'timeout', 'throttle');
    const relay = relayFor(database, endpoint(), { requestTimeoutMs: 300, concurrency: 2 });
    await drainAll(relay);
    for (let i = 0; i < 20 && (await outboxStatusCounts(database, tenantId)).pending; i++) {
      await sleep(20);
      await drainAll(relay);
    }
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: 30 });
    const counts = acceptedCounts(endpoint());
    expect(counts.size).toBe(30);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('retries entries that fail with a retryable code and dead-letters the others with their error', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 20 });
    let throttled = 0;
    endpoint().faults.entryError = (entry) => {
      const detail = entry.detail as { aggregate: { id: string } };
      if (detail.aggregate.id.endsWith('0') || detail.aggregate.id.endsWith('1'))
        return 'InvalidArgument';
      if (throttled < 5) {
        throttled++;
        return 'ThrottlingException';
      }
      return undefined;
    };
    const relay = relayFor(database, endpoint());
    for (let i = 0; i < 20 && (await outboxStatusCounts(database, tenantId)).pending; i++) {
      await drainAll(relay);
      await sleep(10);
    }
    const { rows } = await database.sql(
      `SELECT status, last_error, right(aggregate_id::text, 1) AS last FROM outbox WHERE tenant_id = $1`,
      [tenantId],
    );
    for (const row of rows) {
      if (row.last === '0' || row.last === '1') {
        expect(row).toMatchObject({
          status: 'dead',
          last_error: 'InvalidArgument: injected InvalidArgument',
        });
      } else {
        expect(row.status).toBe('published');
      }
    }
  });

  it('gives up after the maximum number of attempts, keeping the last error', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 1 });
    endpoint().faults.entryError = () => 'ThrottlingException';
    const relay = relayFor(database, endpoint());
    for (let i = 0; i < 30 && (await outboxStatusCounts(database, tenantId)).pending; i++) {
      await drainAll(relay);
      await sleep(10);
    }
    const { rows } = await database.sql(
      'SELECT status, attempts, last_error FROM outbox WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows).toEqual([
      {
        status: 'dead',
        attempts: 5,
        last_error: 'ThrottlingException: injected ThrottlingException (gave up after 5 attempts)',
      },
    ]);
  });

  it('publishes an event whose transaction commits after later ones were already published', async () => {
    const tenantId = newTenant();
    const pg = (await import('pg')).default;
    const late = new pg.Client({ connectionString: database.url() });
    await late.connect();
    try {
      // A write that stays open across relay passes.
      await late.query('BEGIN');
      await late.query(
        // one-rule-allow: holds a complete write open across relay passes to prove it is not skipped
        `INSERT INTO payroll_runs (id, tenant_id, status, version, period_start, period_end, pay_date, currency, gross_total_minor, employee_count, created_by)
         VALUES ('00000000-0000-7000-8000-000000000001', $1, 'DRAFT', 1, '2026-11-01', '2026-11-30', '2026-12-01', 'EUR', 1, 1, 'late')`,
        [tenantId],
      );
      await late.query(
        `INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version, after, correlation_id)
         VALUES (gen_random_uuid(), $1, 'late', 'PayrollRunCreated', 'payroll_run', '00000000-0000-7000-8000-000000000001', 1,
                 (SELECT to_jsonb(r) FROM payroll_runs r WHERE r.id = '00000000-0000-7000-8000-000000000001'), 'late')`,
        [tenantId],
      );
      await late.query(
        `INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, correlation_id, actor)
         VALUES ('00000000-0000-7000-8000-0000000000e1', $1, 'payroll_run', '00000000-0000-7000-8000-000000000001', 1, 'payroll.run_created.v1', '{}', 'late', 'late')`,
        [tenantId],
      );
      await late.query(
        `INSERT INTO state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command, to_status, actor, correlation_id, audit_id, outbox_id)
         SELECT gen_random_uuid(), $1, 'payroll_run', '00000000-0000-7000-8000-000000000001', 1, 'create', 'DRAFT', 'late', 'late', a.id, '00000000-0000-7000-8000-0000000000e1'
           FROM audit_log a WHERE a.entity_id = '00000000-0000-7000-8000-000000000001'`,
        [tenantId],
      );
      // Later writes commit and are published while the first is still open.
      await seedPayrollRuns(database, { tenantId, runs: 5 });
      const relay = relayFor(database, endpoint());
      expect((await drainAll(relay)).published).toBe(5);
      await late.query('COMMIT');
      expect((await drainAll(relay)).published).toBe(1);
      expect(acceptedCounts(endpoint()).get('00000000-0000-7000-8000-0000000000e1')).toBe(1);
    } finally {
      await late.end();
    }
  });

  it('does not let events waiting behind a backed-off earlier version starve other aggregates', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId: `${tenantId}-blocked`, runs: 2, versions: 3 });
    await database.sql(
      `UPDATE outbox SET next_attempt_at = now() + interval '1 hour'
        WHERE tenant_id = $1 AND aggregate_version = 1`,
      [`${tenantId}-blocked`],
    );
    // Newer than every blocked event, so a claim by age reaches it last.
    await seedPayrollRuns(database, { tenantId, runs: 1 });
    const result = await relayFor(database, endpoint(), { batchSize: 1 }).drain({
      until: Date.now() + 10_000,
    });
    expect(result.published).toBe(1);
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: 1 });
    expect(await outboxStatusCounts(database, `${tenantId}-blocked`)).toEqual({ pending: 6 });
  });

  it("leaves a row alone once another relay took it over after this one's lease ran out", async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 1 });
    const first = await claimEvents(database.relayDb(), {
      relayId: 'relay-1',
      limit: 10,
      leaseMs: 1,
    });
    await sleep(20);
    const second = await claimEvents(database.relayDb(), {
      relayId: 'relay-2',
      limit: 10,
      leaseMs: 60_000,
    });
    expect(second.map((row) => row.id)).toEqual(first.map((row) => row.id));
    const ids = first.map((row) => row.id);
    await releaseClaims(database.relayDb(), 'relay-1', ids);
    await markDead(
      database.relayDb(),
      'relay-1',
      ids.map((id) => ({ id, error: 'late' })),
    );
    await scheduleRetries(
      database.relayDb(),
      'relay-1',
      ids.map((id) => ({ id, delayMs: 1, error: 'late' })),
    );
    const { rows } = await database.sql(
      'SELECT status, claimed_by, attempts, last_error FROM outbox WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows).toEqual([
      { status: 'pending', claimed_by: 'relay-2', attempts: 2, last_error: null },
    ]);
  });

  it('hands back, unsent and uncounted, the requests and waves that would start after its time is up', async () => {
    const tenantId = newTenant();
    // 20 runs × 2 versions: wave 1 is two requests of 10, wave 2 the same.
    await seedPayrollRuns(database, { tenantId, runs: 20, versions: 2 });
    endpoint().faults.latencyMs = 1_500;
    const relay = relayFor(database, endpoint(), { concurrency: 1 });
    // One slot: the first request goes at once; the second gets the slot
    // 1.5 s later, past the deadline, and must not go.
    const result = await relay.runPass(Date.now() + 750);
    expect(result).toMatchObject({ claimed: 40, published: 10, released: 30 });
    expect(endpoint().requestCount()).toBe(1);
    const { rows } = await database.sql(
      `SELECT status, count(*)::int AS n, max(attempts) AS attempts, count(claimed_by)::int AS held
         FROM outbox WHERE tenant_id = $1 GROUP BY status ORDER BY status`,
      [tenantId],
    );
    expect(rows).toEqual([
      { status: 'pending', n: 30, attempts: 0, held: 0 },
      { status: 'published', n: 10, attempts: 1, held: 0 },
    ]);

    endpoint().faults.latencyMs = 0;
    await drainAll(relay);
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: 40 });
    const counts = acceptedCounts(endpoint());
    expect(counts.size).toBe(40);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const versions = new Map<string, number>();
    for (const event of endpoint().accepted) {
      const { aggregate } = event.detail as { aggregate: { id: string; version: number } };
      expect(aggregate.version).toBe((versions.get(aggregate.id) ?? 0) + 1);
      versions.set(aggregate.id, aggregate.version);
    }
  });

  it('leaves what EventBridge accepted marked published when handing back the unsent rows fails', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 20 });
    // Every release (a pending row losing its lease) fails for this tenant.
    await database.sql(`
      CREATE FUNCTION fail_release() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected fault at release'; END $$;
      CREATE TRIGGER fail_release BEFORE UPDATE ON outbox FOR EACH ROW
        WHEN (NEW.tenant_id = '${tenantId}' AND NEW.status = 'pending' AND NEW.claimed_by IS NULL)
        EXECUTE FUNCTION fail_release();
    `);
    try {
      endpoint().faults.latencyMs = 1_500;
      const relay = relayFor(database, endpoint(), { concurrency: 1 });
      await expect(relay.runPass(Date.now() + 750)).rejects.toThrow(/injected fault at release/);
    } finally {
      await database.sql('DROP TRIGGER fail_release ON outbox; DROP FUNCTION fail_release()');
    }
    // The request that went out is recorded; the one that did not stays leased until it expires.
    expect(endpoint().requestCount()).toBe(1);
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: 10, pending: 10 });
  });

  it('keeps at most `concurrency` requests in flight across all of its passes', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 60 });
    endpoint().faults.latencyMs = 30;
    const client = localEventBridgeClient(endpoint().url);
    const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
    let inFlight = 0;
    let most = 0;
    (client as unknown as { send: typeof send }).send = async (...args) => {
      most = Math.max(most, ++inFlight);
      try {
        return await send(...args);
      } finally {
        inFlight--;
      }
    };
    // Three passes of one request each could have three in flight; two slots allow two.
    const relay = relayFor(database, endpoint(), {
      client,
      batchSize: 10,
      concurrency: 2,
      parallelPasses: 3,
    });
    await drainAll(relay);
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: 60 });
    expect(most).toBe(2);
  });
});
