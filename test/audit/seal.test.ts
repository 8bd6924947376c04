import { readEntries, sealAuditChain, verifyChains } from '@auditflow/audit';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  asOwnerWithoutTriggers,
  sealAndStore,
  useCheckpointStore,
  writeHistory,
} from '../support/audit-chain';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();
const store = useCheckpointStore();
let tenants = 0;
const newTenant = () => `seal-${++tenants}-${Date.now()}`;

/** The per-test ledger check wants every audit row with its transition and event. */
async function removeLoneAuditRows(tenant: string) {
  await asOwnerWithoutTriggers(database, [
    {
      text: `DELETE FROM audit_log a WHERE tenant_id = $1
              AND NOT EXISTS (SELECT 1 FROM state_transitions t WHERE t.audit_id = a.id)`,
      values: [tenant],
    },
  ]);
}

describe('sealing the audit chain', () => {
  it('seals every audit row, transition and event of a tenant, in commit order', async () => {
    const tenant = newTenant();
    await writeHistory(tenant, 3);
    expect(await sealAndStore(database, tenant)).toBeGreaterThanOrEqual(18);

    const entries = await readEntries(database.operatorDb(), tenant);
    expect(entries.map((entry) => entry.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries.filter((entry) => entry.kind === 'audit')).toHaveLength(6);
    expect(entries.filter((entry) => entry.kind === 'transition')).toHaveLength(6);
    expect(entries.filter((entry) => entry.kind === 'event')).toHaveLength(6);
    const txids = entries.map((entry) => entry.txid);
    expect([...txids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(txids);

    const report = await verifyChains(database.operatorDb(), store(), { tenantId: tenant });
    expect(report.first).toBeNull();
    expect(report.tenants[0]).toMatchObject({ ok: true, entries: 18, anchoredSeq: 18 });
  });

  it('hashes what the verifier recomputes, byte for byte, whatever the text and JSON hold', async () => {
    const tenant = newTenant();
    const odd = 'quote " backslash \\ newline \n tab \t bell \u0007 del \u007f é ß 😀 \u2028';
    await asOwnerWithoutTriggers(database, [
      {
        text: `INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id,
                 entity_version, before, after, correlation_id, causation_id)
               VALUES (gen_random_uuid(), $1, $2, 'Odd', 'payroll_run', gen_random_uuid(), 2,
                 $3::jsonb, $4::jsonb, $2, NULL)`,
        values: [
          tenant,
          odd,
          JSON.stringify({ b: [1, 2.5, -0.001, 1e21, null, true], a: { z: odd, aa: '' } }),
          '{"big": 123456789012345678901234567890, "scale": 1.50, "exp": 1E+3, "": "empty key"}',
        ],
      },
    ]);
    await sealAndStore(database, tenant);
    for (const rebuildHere of [false, true]) {
      const report = await verifyChains(database.operatorDb(), store(), {
        tenantId: tenant,
        rebuildHere,
      });
      expect(report.first).toBeNull();
      expect(report.tenants[0]).toMatchObject({ entries: 1, rowsCompared: 1 });
    }
    await removeLoneAuditRows(tenant);
  });

  it('leaves rows of transactions newer than a running one for a later seal, and then seals them in order', async () => {
    const tenant = newTenant();
    const early = new pg.Client({ connectionString: database.url() });
    await early.connect();
    try {
      // A transaction that took its id first and commits last: the trap of
      // sealing by position.
      await early.query('BEGIN');
      await early.query('SET LOCAL session_replication_role = replica');
      await early.query(
        `INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version,
                                after, correlation_id)
         VALUES (gen_random_uuid(), $1, 'early', 'Early', 'payroll_run', gen_random_uuid(), 1, '{}', 'early')`,
        [tenant],
      );
      await writeHistory(tenant, 1);
      await sealAuditChain(database.relayDb());
      expect(await readEntries(database.operatorDb(), tenant)).toEqual([]);
      await early.query('COMMIT');
    } finally {
      await early.end();
    }
    await sealAndStore(database, tenant);
    const entries = await readEntries(database.operatorDb(), tenant);
    expect(entries).toHaveLength(7);
    expect(entries[0]).toMatchObject({ seq: 1, kind: 'audit' });
    const report = await verifyChains(database.operatorDb(), store(), { tenantId: tenant });
    expect(report.first).toBeNull();
    await removeLoneAuditRows(tenant);
  });

  it('is idempotent, and a seal that dies before its commit leaves nothing behind', async () => {
    const tenant = newTenant();
    await writeHistory(tenant, 2);
    const dying = new pg.Client({ connectionString: database.roleUrl('relay') });
    dying.on('error', () => {});
    await dying.connect();
    const { rows } = await dying.query('SELECT pg_backend_pid() AS pid');
    await dying.query('BEGIN');
    await dying.query('SELECT seal_audit_chain(1000, 1000)');
    // The connection drops mid-transaction, as a Lambda that times out would.
    await database.sql('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    await dying.end().catch(() => {});
    expect(await readEntries(database.operatorDb(), tenant)).toEqual([]);

    await sealAndStore(database, tenant);
    const first = await readEntries(database.operatorDb(), tenant);
    expect(first).toHaveLength(12);
    expect(await sealAndStore(database, tenant)).toBe(0);
    expect(await readEntries(database.operatorDb(), tenant)).toEqual(first);
    const report = await verifyChains(database.operatorDb(), store(), { tenantId: tenant });
    expect(report.first).toBeNull();
    expect(report.tenants[0]).toMatchObject({ checkpoints: 1, anchoredSeq: 12 });
  });

  it('cuts checkpoints into segments of at most the given number of entries', async () => {
    const tenant = newTenant();
    await writeHistory(tenant, 2);
    await sealAuditChain(database.relayDb(), { segmentMax: 5 });
    await sealAndStore(database, tenant);
    const { checkpoints } = await store().list(tenant);
    expect(checkpoints.map((c) => [c.fromSeq, c.toSeq])).toEqual([
      [1, 5],
      [6, 10],
      [11, 12],
    ]);
    const report = await verifyChains(database.operatorDb(), store(), { tenantId: tenant });
    expect(report.first).toBeNull();
  });
});
