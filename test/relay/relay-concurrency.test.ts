import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AcceptedEvent } from '@auditflow/local';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import {
  acceptedCounts,
  outboxStatusCounts,
  relayFor,
  useEventBridgeEndpoint,
} from '../support/relay';
import { seedPayrollRuns } from '../support/seed';

const database = useTestDatabase();
const endpoint = useEventBridgeEndpoint();

let counter = 0;
const newTenant = () => `concurrency-${++counter}`;
const LEASE_MS = 300;

class Crash extends Error {}

async function seededIds(tenantId: string): Promise<string[]> {
  const { rows } = await database.sql('SELECT id FROM outbox WHERE tenant_id = $1', [tenantId]);
  return rows.map((row) => row.id);
}

/** Drains with a fresh relay until the tenant has nothing pending, waiting out leases. */
async function drainUntilDone(tenantId: string) {
  // Its own leases are long: only the dead relay's short ones need waiting out.
  const relay = relayFor(database, endpoint(), { leaseMs: 60_000 });
  for (let i = 0; i < 50 && (await outboxStatusCounts(database, tenantId)).pending; i++) {
    await relay.drain({ until: Date.now() + 10_000 });
    await sleep(LEASE_MS / 3);
  }
  expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: expect.any(Number) });
}

/** Every event was accepted; an aggregate's versions were never accepted ahead of their predecessor. */
function expectCompleteAndOrdered(accepted: AcceptedEvent[], ids: string[]) {
  const counts = acceptedCounts(endpoint());
  expect(ids.filter((id) => !counts.has(id))).toEqual([]);
  const highest = new Map<string, number>();
  for (const event of accepted) {
    const { aggregate } = event.detail as { aggregate: { id: string; version: number } };
    const seen = highest.get(aggregate.id) ?? 0;
    expect(aggregate.version, `aggregate ${aggregate.id}`).toBeLessThanOrEqual(seen + 1);
    highest.set(aggregate.id, Math.max(seen, aggregate.version));
  }
}

describe('relays running at once', () => {
  it('8 relays drain 20,000 events at once and publish each exactly once', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 20_000 });
    // Leases and request timeouts outlast the whole drain, so a slow machine cannot
    // turn an expired lease or a timed-out (but accepted) PutEvents into a
    // legitimate re-send: every duplicate here is a bug.
    const relays = Array.from({ length: 8 }, () =>
      relayFor(database, endpoint(), {
        batchSize: 200,
        leaseMs: 600_000,
        requestTimeoutMs: 150_000,
      }),
    );
    const results = await Promise.all(
      relays.map((relay) => relay.drain({ until: Date.now() + 150_000 })),
    );
    expect(results.reduce((sum, result) => sum + result.published, 0)).toBe(20_000);
    const counts = acceptedCounts(endpoint());
    expect(counts.size).toBe(20_000);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: 20_000 });
  }, 240_000);

  it('keeps each aggregate in version order with 4 relays and failures on the way', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 40, versions: 5 });
    endpoint().faults.entryError = () => (Math.random() < 0.2 ? 'ThrottlingException' : undefined);
    const relays = Array.from({ length: 4 }, () =>
      relayFor(database, endpoint(), {
        batchSize: 25,
        retry: { maxAttempts: 50, baseDelayMs: 1, maxDelayMs: 5 },
      }),
    );
    for (let i = 0; i < 100 && (await outboxStatusCounts(database, tenantId)).pending; i++) {
      await Promise.all(relays.map((relay) => relay.drain({ until: Date.now() + 5_000 })));
      await sleep(5);
    }
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: 200 });
    expectCompleteAndOrdered(endpoint().accepted, await seededIds(tenantId));
    expect([...acceptedCounts(endpoint()).values()].every((n) => n === 1)).toBe(true);
  });

  it('loses nothing when a relay dies right after claiming: the lease frees its rows', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 30 });
    const dying = relayFor(database, endpoint(), {
      leaseMs: LEASE_MS,
      hooks: {
        afterClaim: () => {
          throw new Crash('killed after claiming');
        },
      },
    });
    await expect(dying.runPass()).rejects.toThrow(Crash);
    expect(endpoint().accepted).toHaveLength(0);
    await sleep(LEASE_MS);
    await drainUntilDone(tenantId);
    expect([...acceptedCounts(endpoint()).values()].every((n) => n === 1)).toBe(true);
  });

  it('duplicates at most what was in flight when a relay dies between PutEvents and marking', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 30 });
    const dying = relayFor(database, endpoint(), {
      leaseMs: LEASE_MS,
      batchSize: 10,
      hooks: {
        afterPublish: () => {
          throw new Crash('killed before marking');
        },
      },
    });
    await expect(dying.runPass()).rejects.toThrow(Crash);
    expect(endpoint().accepted).toHaveLength(10);
    await sleep(LEASE_MS);
    await drainUntilDone(tenantId);
    const counts = acceptedCounts(endpoint());
    expect(counts.size).toBe(30);
    expect([...counts.values()].filter((n) => n > 1)).toHaveLength(10);
  });

  it('loses nothing and keeps order when a relay dies in the middle of a multi-wave batch', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 10, versions: 3 });
    let waves = 0;
    const dying = relayFor(database, endpoint(), {
      leaseMs: LEASE_MS,
      hooks: {
        afterPublish: () => {
          if (++waves === 2) throw new Crash('killed mid-batch');
        },
      },
    });
    await expect(dying.runPass()).rejects.toThrow(Crash);
    expect(endpoint().accepted).toHaveLength(20);
    await sleep(LEASE_MS);
    await drainUntilDone(tenantId);
    expectCompleteAndOrdered(endpoint().accepted, await seededIds(tenantId));
    // Only the unmarked second wave is sent twice.
    expect([...acceptedCounts(endpoint()).values()].filter((n) => n > 1)).toHaveLength(10);
  });

  it('leaves no lock and no open transaction behind when a relay crashes', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 5 });
    const dying = relayFor(database, endpoint(), {
      hooks: {
        afterClaim: () => {
          throw new Crash('killed after claiming');
        },
      },
    });
    await expect(dying.runPass()).rejects.toThrow(Crash);
    const { rows } = await database.sql(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    expect(rows[0].n).toBe(0);
    const locks = await database.sql(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
        WHERE c.relname = 'outbox' AND l.pid <> pg_backend_pid()`,
    );
    expect(locks.rows[0].n).toBe(0);
  });

  it('loses nothing when a relay process is killed with SIGKILL mid-drain', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 300, versions: 2 });
    endpoint().faults.latencyMs = 20;
    const child = spawn(
      path.resolve('node_modules/.bin/tsx'),
      [path.resolve('test/support/relay-process.ts')],
      {
        env: {
          ...process.env,
          DATABASE_URL: database.roleUrl('relay'),
          EVENTBRIDGE_ENDPOINT: endpoint().url,
          RELAY_LEASE_MS: String(LEASE_MS),
        },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 500 && endpoint().accepted.length < 150; i++) await sleep(10);
    expect(endpoint().accepted.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await exited;
    endpoint().faults.latencyMs = 0;
    await sleep(LEASE_MS);
    await drainUntilDone(tenantId);
    expectCompleteAndOrdered(endpoint().accepted, await seededIds(tenantId));
    // At most one claim (50 rows) was in flight when it died.
    expect(
      [...acceptedCounts(endpoint()).values()].filter((n) => n > 1).length,
    ).toBeLessThanOrEqual(50);
  }, 60_000);
});
