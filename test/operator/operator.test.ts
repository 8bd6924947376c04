import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { sealAuditChain } from '@auditflow/audit';
import { entityTimeline, reconcile, replayEvents } from '@auditflow/operator';
import { prunePublished } from '@auditflow/relay';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import {
  acceptedCounts,
  outboxStatusCounts,
  relayFor,
  useEventBridgeEndpoint,
} from '../support/relay';
import { requeuedBy } from '../support/requeue';
import { seedPayrollRuns } from '../support/seed';

const database = useTestDatabase();
const endpoint = useEventBridgeEndpoint();
const ROOT = path.resolve(import.meta.dirname, '../..');

let counter = 0;
const newTenant = () => `operator-${++counter}`;

/** Runs `npm run outbox -- <args>` as an operator would, against the test database. */
function outboxCli(...args: string[]) {
  const result = spawnSync(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    ['packages/local/src/bin/outbox.ts', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: database.roleUrl('operator') },
      encoding: 'utf8',
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('operating the outbox', () => {
  it('reports status as one JSON line', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 3 });
    const before = outboxCli('status', '--json');
    expect(before.code).toBe(0);
    const status = JSON.parse(before.stdout.trim().split('\n').at(-1) ?? '');
    expect(status).toEqual({
      pending: expect.any(Number),
      published: expect.any(Number),
      dead: expect.any(Number),
      skipped: expect.any(Number),
      oldestPendingAgeMs: expect.any(Number),
    });
    expect(status.pending).toBeGreaterThanOrEqual(3);
    await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
    const after = JSON.parse(outboxCli('status', '--json').stdout.trim());
    expect(after).toMatchObject({ pending: 0, oldestPendingAgeMs: 0 });
  });

  it('lists dead events with their reasons, and retry brings them back to be published', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 4 });
    endpoint().faults.entryError = () => 'InvalidArgument';
    await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ dead: 4 });

    const dead = outboxCli('dead', '--json');
    const listed = JSON.parse(dead.stdout) as { id: string; reason: string }[];
    expect(
      listed.filter((event) => event.reason === 'InvalidArgument: injected InvalidArgument'),
    ).toHaveLength(4);

    endpoint().faults.entryError = undefined;
    const [first] = listed;
    expect(outboxCli('retry', first?.id ?? '', '--reason', 'bus fixed').stdout).toContain(
      '1 dead event(s) queued',
    );
    await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ dead: 3, published: 1 });

    expect(outboxCli('retry', '--all-dead', '--reason', 'bus fixed').code).toBe(0);
    await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
    expect(await outboxStatusCounts(database, tenantId)).toEqual({ published: 4 });
  });

  it('replays a time range of one event type, and only that', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 5 });
    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
    endpoint().reset();

    expect(
      await replayEvents(database.operatorDb(), {
        from,
        to,
        eventType: 'payroll.run_nothing.v1',
        by: requeuedBy,
      }),
    ).toEqual([]);
    const replay = outboxCli(
      'replay',
      '--from',
      from,
      '--to',
      to,
      '--type',
      'payroll.run_seeded.v1',
      '--reason',
      'a subscriber lost its projection',
    );
    expect(replay.code).toBe(0);
    await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
    const ids = (await database.sql('SELECT id FROM outbox WHERE tenant_id = $1', [tenantId])).rows;
    const counts = acceptedCounts(endpoint());
    for (const { id } of ids) expect(counts.get(id)).toBe(1);
  });

  it('refuses malformed operator input with usage and exit code 2', () => {
    expect(outboxCli('retry').code).toBe(2);
    expect(outboxCli('retry', "1' OR '1'='1").code).toBe(2);
    expect(outboxCli('replay', '--from', 'yesterday', '--to', 'today').code).toBe(2);
    expect(outboxCli('replay', '--from', '2026-11-02', '--to', '2026-11-01').code).toBe(2);
    expect(outboxCli('replay', '--to', '2026-11-01').code).toBe(2);
    expect(outboxCli('explode').code).toBe(2);
  });

  it('replays from the epoch itself, which parses to 0', () => {
    const replay = outboxCli(
      'replay',
      '--from',
      '1970-01-01T00:00:00Z',
      '--to',
      '1970-01-02T00:00:00Z',
      '--reason',
      'nothing to resend',
    );
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^0 event\(s\) queued/m);
  });

  it('reconciles transitions, audit rows and events, and fails on a mismatch', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 2, versions: 2 });
    const balanced = outboxCli('reconcile', '--json');
    expect(balanced.code).toBe(0);
    expect(JSON.parse(balanced.stdout).mismatches).toEqual([]);

    // An outbox event with no transition and audit row: what only a superuser
    // who switched the triggers off could leave behind.
    const rogue = `${tenantId}-rogue`;
    await database.sql(`
      SET session_replication_role = replica;
      INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, correlation_id, actor)
      VALUES (gen_random_uuid(), '${rogue}', 'payroll_run', gen_random_uuid(), 1, 'payroll.run_created.v1', '{}', 'rogue', 'rogue');
    `);
    const mismatched = outboxCli('reconcile', '--json');
    expect(mismatched.code).toBe(1);
    expect(JSON.parse(mismatched.stdout).mismatches).toEqual([
      {
        tenantId: `${tenantId}-rogue`,
        eventType: 'payroll.run_created.v1',
        transitions: 0,
        audits: 0,
        events: 1,
      },
    ]);
    const { mismatches } = await reconcile(database.operatorDb());
    expect(mismatches).toHaveLength(1);
    // Leave the database balanced for the per-test ledger check.
    await database.sql(
      `SET session_replication_role = replica; DELETE FROM outbox WHERE tenant_id = '${rogue}';`,
    );
  });

  it('reconciles an audit row no transition names, and a transition whose audit row and event are missing', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 2 });
    // What an owner with the triggers off could leave behind, in a tenant of its own.
    const rogue = `${tenantId}-rogue`;
    await database.sql(`
      SET session_replication_role = replica;
      INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version, after, correlation_id)
      VALUES (gen_random_uuid(), '${rogue}', 'rogue', 'PayrollRunPaid', 'payroll_run', gen_random_uuid(), 1, '{}', 'rogue');
      INSERT INTO state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command, from_status, to_status, actor, correlation_id, audit_id, outbox_id)
      VALUES (gen_random_uuid(), '${rogue}', 'payroll_run', gen_random_uuid(), 1, 'create', NULL, 'DRAFT', 'rogue', 'rogue', gen_random_uuid(), gen_random_uuid());
    `);
    const { rows, mismatches } = await reconcile(database.operatorDb());
    expect(mismatches).toEqual([
      {
        tenantId: rogue,
        eventType: '(audit PayrollRunPaid)',
        transitions: 0,
        audits: 1,
        events: 0,
      },
      { tenantId: rogue, eventType: '(no event)', transitions: 1, audits: 0, events: 0 },
    ]);
    // The tenant beside it still balances, row for row.
    const own = rows.filter((row) => row.tenantId === tenantId);
    expect(own.length).toBeGreaterThan(0);
    for (const row of own)
      expect([row.audits, row.events]).toEqual([row.transitions, row.transitions]);
    await database.sql(`
      SET session_replication_role = replica;
      DELETE FROM state_transitions WHERE tenant_id = '${rogue}';
      DELETE FROM audit_log WHERE tenant_id = '${rogue}';
    `);
  });

  it('answers an empty timeline, not an error, for an entity whose transitions lost their audit rows', async () => {
    const rogue = `${newTenant()}-rogue`;
    const entityId = randomUUID();
    try {
      await database.sql(`
        SET session_replication_role = replica;
        INSERT INTO state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command, from_status, to_status, actor, correlation_id, audit_id, outbox_id)
        VALUES (gen_random_uuid(), '${rogue}', 'payroll_run', '${entityId}', 1, 'create', NULL, 'DRAFT', 'rogue', 'rogue', gen_random_uuid(), gen_random_uuid());
      `);
      expect(await entityTimeline(database.operatorDb(), rogue, { entityId })).toEqual([]);
    } finally {
      await database.sql(
        `SET session_replication_role = replica; DELETE FROM state_transitions WHERE tenant_id = '${rogue}';`,
      );
    }
  });

  it('prunes published events past their retention, keeps pending and dead ones, and reconcile skips the pruned range', async () => {
    const tenantId = newTenant();
    await seedPayrollRuns(database, { tenantId, runs: 6 });
    // Only sealed events are pruned; sealing adds the tenant's checkpoint event.
    await sealAuditChain(database.relayDb());
    await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
    await seedPayrollRuns(database, { tenantId: `${tenantId}-later`, runs: 2 });
    await database.sql(
      `UPDATE outbox SET published_at = now() - interval '2 days' WHERE tenant_id = $1`,
      [tenantId],
    );

    expect(await prunePublished(database.relayDb(), { olderThanMs: 86_400_000, limit: 100 })).toBe(
      7,
    );
    expect(await outboxStatusCounts(database, tenantId)).toEqual({});
    expect(await outboxStatusCounts(database, `${tenantId}-later`)).toEqual({ pending: 2 });
    const result = await reconcile(database.operatorDb());
    expect(result.prunedBefore).not.toBeNull();
    expect(result.mismatches).toEqual([]);
  });
});
