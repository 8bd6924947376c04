import { pruneIdempotencyKeys } from '@auditflow/write-unit';
import { describe, expect, it } from 'vitest';
import { aPayrollRun, call } from '../support/api';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

const DAY = 86_400_000;
let counter = 0;
const newTenant = () => `idem-retention-${++counter}`;

async function createWithKey(tenant: string, key: string) {
  return call('POST', '/payroll-runs', {
    as: { tenant, sub: 'alice' },
    body: aPayrollRun,
    headers: { 'Idempotency-Key': key },
  });
}

/** Moves a key's creation back in time, as if it had been used `days` ago. */
async function age(tenant: string, key: string, days: number) {
  await database.sql(
    `UPDATE idempotency_keys SET created_at = now() - make_interval(days => $3)
      WHERE tenant_id = $1 AND key = $2`,
    [tenant, key, days],
  );
}

async function keys(tenant: string): Promise<string[]> {
  const { rows } = await database.sql(
    'SELECT key FROM idempotency_keys WHERE tenant_id = $1 ORDER BY key',
    [tenant],
  );
  return rows.map((row) => row.key);
}

describe('idempotency key retention', () => {
  it('forgets keys older than the window and keeps replaying the ones inside it', async () => {
    const tenant = newTenant();
    const recent = await createWithKey(tenant, 'recent');
    await createWithKey(tenant, 'old');
    await age(tenant, 'old', 8);

    expect(
      await pruneIdempotencyKeys(database.relayDb(), { olderThanMs: 7 * DAY, limit: 100 }),
    ).toBe(1);
    expect(await keys(tenant)).toEqual(['recent']);

    const replay = await createWithKey(tenant, 'recent');
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(recent.body);
  });

  it('treats a forgotten key as a new request', async () => {
    const tenant = newTenant();
    const first = await createWithKey(tenant, 'k');
    await age(tenant, 'k', 8);
    await pruneIdempotencyKeys(database.relayDb(), { olderThanMs: 7 * DAY, limit: 100 });

    const again = await createWithKey(tenant, 'k');
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect((again.body as { id: string }).id).not.toBe((first.body as { id: string }).id);
  });

  it('prunes at most `limit` keys per call, oldest first, and leaves the audit trail alone', async () => {
    const tenant = newTenant();
    for (const [key, days] of [
      ['a', 10],
      ['b', 9],
      ['c', 8],
    ] as const) {
      await createWithKey(tenant, key);
      await age(tenant, key, days);
    }
    const options = { olderThanMs: 7 * DAY, limit: 2 };
    expect(await pruneIdempotencyKeys(database.relayDb(), options)).toBe(2);
    expect(await keys(tenant)).toEqual(['c']);
    expect(await pruneIdempotencyKeys(database.relayDb(), options)).toBe(1);
    expect(await pruneIdempotencyKeys(database.relayDb(), options)).toBe(0);
    const { rows } = await database.sql(
      `SELECT (SELECT count(*)::int FROM payroll_runs WHERE tenant_id = $1) AS runs,
              (SELECT count(*)::int FROM audit_log WHERE tenant_id = $1) AS audits,
              (SELECT count(*)::int FROM outbox WHERE tenant_id = $1) AS events`,
      [tenant],
    );
    expect(rows[0]).toEqual({ runs: 3, audits: 3, events: 3 });
  });
});
