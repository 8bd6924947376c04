import fs from 'node:fs/promises';
import path from 'node:path';
import { GENESIS_HASH, linkHash, readEntries, readHistory, verifyChains } from '@auditflow/audit';
import { prunePublished } from '@auditflow/relay';
import { afterEach, describe, expect, it } from 'vitest';
import {
  asOwnerWithoutTriggers,
  sealAndStore,
  useCheckpointStore,
  writeHistory,
} from '../support/audit-chain';
import { useTestDatabase } from '../support/database';

/**
 * Every attack here is made with the master credentials (the owner, with
 * triggers off), which the database's own checks cannot stop: the chain and
 * the checkpoints kept outside must expose each one, naming the row.
 */
const database = useTestDatabase();
const store = useCheckpointStore();
let tenants = 0;

/** A tenant with three runs, created and submitted (18 history rows), sealed and checkpointed. */
async function sealedTenant(): Promise<string> {
  const tenant = `tamper-${++tenants}-${Date.now()}`;
  await writeHistory(tenant, 3);
  await sealAndStore(database, tenant);
  const clean = await verify(tenant);
  expect(clean.first).toBeNull();
  return tenant;
}

// The attacks leave history the per-test ledger check would (rightly)
// refuse: the tenant's history goes once its test is done (this hook runs
// before the ledger check, which was registered first).
afterEach(async () => {
  const tenant = `tamper-${tenants}-`;
  await asOwnerWithoutTriggers(
    database,
    ['audit_chain', 'state_transitions', 'audit_log', 'outbox'].map((table) => ({
      text: `DELETE FROM ${table} WHERE starts_with(tenant_id, $1)`,
      values: [tenant],
    })),
  );
});

/** Verifies both ways (content hashed by Postgres, and rebuilt here), which must agree. */
async function verify(tenant: string) {
  const report = await verifyChains(database.operatorDb(), store(), { tenantId: tenant });
  const rebuilt = await verifyChains(database.operatorDb(), store(), {
    tenantId: tenant,
    rebuildHere: true,
  });
  expect(rebuilt.tenants.map((t) => t.findings)).toEqual(report.tenants.map((t) => t.findings));
  return report;
}

/** The chain entry at `seq`, with its row. */
async function entryAt(tenant: string, seq: number) {
  const entry = (await readEntries(database.operatorDb(), tenant)).find((e) => e.seq === seq);
  if (!entry) throw new Error(`no entry ${seq}`);
  return entry;
}

async function firstOfKind(tenant: string, kind: 'audit' | 'event' | 'transition', skip = 0) {
  const entries = await readEntries(database.operatorDb(), tenant);
  const entry = entries.filter((e) => e.kind === kind)[skip];
  if (!entry) throw new Error(`no ${kind} entry`);
  return entry;
}

/**
 * What an attacker who knows the encoding does after editing rows: seal the
 * tenant's chain again from scratch, consistently, over the rows as they now
 * are, in the order given (the current one by default).
 */
async function resealConsistently(tenant: string, order?: (ids: string[]) => string[]) {
  const entries = await readEntries(database.operatorDb(), tenant);
  const rows = new Map(
    (await readHistory(database.operatorDb(), { tenantId: tenant })).map((row) => [row.id, row]),
  );
  const ids = order ? order(entries.map((e) => e.rowId)) : entries.map((e) => e.rowId);
  let prev = GENESIS_HASH;
  const statements: { text: string; values: unknown[] }[] = [
    { text: 'DELETE FROM audit_chain WHERE tenant_id = $1', values: [tenant] },
  ];
  ids.forEach((id, i) => {
    const row = rows.get(id);
    if (!row) throw new Error(`no row ${id}`);
    const link = {
      tenantId: tenant,
      seq: i + 1,
      kind: row.kind,
      rowId: id,
      contentHash: row.contentHash,
      prevHash: prev,
    };
    const hash = linkHash(link);
    statements.push({
      text: `INSERT INTO audit_chain (tenant_id, seq, kind, row_id, txid, occurred_at, content_hash, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5::text::xid8, now(), $6, $7, $8)`,
      values: [tenant, link.seq, link.kind, id, String(row.txid), link.contentHash, prev, hash],
    });
    prev = hash;
  });
  await asOwnerWithoutTriggers(database, statements);
}

describe('verify, against an owner who tampers with history', () => {
  it('names the audit row whose `after` was edited (content_mismatch)', async () => {
    const tenant = await sealedTenant();
    const target = await firstOfKind(tenant, 'audit', 1);
    await asOwnerWithoutTriggers(database, [
      {
        text: `UPDATE audit_log SET after = jsonb_set(after, '{grossTotalMinor}', '999999') WHERE id = $1`,
        values: [target.rowId],
      },
    ]);
    const report = await verify(tenant);
    expect(report.ok).toBe(false);
    expect(report.first).toMatchObject({
      kind: 'content_mismatch',
      seq: target.seq,
      row: { kind: 'audit', id: target.rowId },
    });
  });

  it('names the audit row whose `before` was edited (content_mismatch)', async () => {
    const tenant = await sealedTenant();
    const target = (await readEntries(database.operatorDb(), tenant)).filter(
      (e) => e.kind === 'audit',
    )[1];
    if (!target) throw new Error('no audit entry');
    await asOwnerWithoutTriggers(database, [
      {
        text: `UPDATE audit_log SET before = jsonb_set(before, '{status}', '"APPROVED"')
                WHERE id = $1 AND before IS NOT NULL`,
        values: [target.rowId],
      },
      {
        text: `UPDATE audit_log SET before = '{"forged": true}' WHERE id = $1 AND before IS NULL`,
        values: [target.rowId],
      },
    ]);
    expect((await verify(tenant)).first).toMatchObject({
      kind: 'content_mismatch',
      seq: target.seq,
      row: { kind: 'audit', id: target.rowId },
    });
  });

  it('names the transition whose actor was edited (content_mismatch)', async () => {
    const tenant = await sealedTenant();
    const target = await firstOfKind(tenant, 'transition', 2);
    await asOwnerWithoutTriggers(database, [
      {
        text: `UPDATE state_transitions SET actor = 'mallory' WHERE id = $1`,
        values: [target.rowId],
      },
    ]);
    expect((await verify(tenant)).first).toMatchObject({
      kind: 'content_mismatch',
      seq: target.seq,
      row: { kind: 'transition', id: target.rowId },
    });
  });

  it('names the event whose amount was edited (content_mismatch)', async () => {
    const tenant = await sealedTenant();
    const target = await firstOfKind(tenant, 'event');
    await asOwnerWithoutTriggers(database, [
      {
        text: `UPDATE outbox SET payload = jsonb_set(payload, '{grossTotalMinor}', '1') WHERE id = $1`,
        values: [target.rowId],
      },
    ]);
    expect((await verify(tenant)).first).toMatchObject({
      kind: 'content_mismatch',
      seq: target.seq,
      row: { kind: 'event', id: target.rowId },
    });
  });

  it('names a deleted row (missing_row)', async () => {
    const tenant = await sealedTenant();
    const target = await firstOfKind(tenant, 'transition', 1);
    await asOwnerWithoutTriggers(database, [
      { text: 'DELETE FROM state_transitions WHERE id = $1', values: [target.rowId] },
    ]);
    expect((await verify(tenant)).first).toMatchObject({
      kind: 'missing_row',
      seq: target.seq,
      row: { kind: 'transition', id: target.rowId },
    });
  });

  it('names the position of a row deleted together with its chain entry (seq_gap)', async () => {
    const tenant = await sealedTenant();
    const target = await entryAt(tenant, 7);
    await asOwnerWithoutTriggers(database, [
      { text: 'DELETE FROM audit_log WHERE id = $1', values: [target.rowId] },
      { text: 'DELETE FROM audit_chain WHERE tenant_id = $1 AND seq = 7', values: [tenant] },
    ]);
    expect((await verify(tenant)).first).toMatchObject({ kind: 'seq_gap', seq: 7 });
  });

  it('names a forged row inserted after sealing, backdated into sealed history (forged_row)', async () => {
    const tenant = await sealedTenant();
    const old = await firstOfKind(tenant, 'audit');
    const forged = '01900000-0000-7000-8000-000000000001';
    await asOwnerWithoutTriggers(database, [
      {
        text: `INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id,
                 entity_version, after, correlation_id, txid, occurred_at)
               SELECT $1, tenant_id, actor, 'PayrollRunApproved', entity_type, entity_id, 9,
                      after, correlation_id, txid, occurred_at
                 FROM audit_log WHERE id = $2`,
        values: [forged, old.rowId],
      },
    ]);
    const report = await verify(tenant);
    expect(report.first).toMatchObject({ kind: 'forged_row', row: { kind: 'audit', id: forged } });
  });

  it('names where rows were reordered in the chain (link_mismatch)', async () => {
    const tenant = await sealedTenant();
    const fifth = await entryAt(tenant, 5);
    await asOwnerWithoutTriggers(database, [
      {
        text: 'UPDATE audit_chain SET seq = 1000000 WHERE tenant_id = $1 AND seq = 5',
        values: [tenant],
      },
      { text: 'UPDATE audit_chain SET seq = 5 WHERE tenant_id = $1 AND seq = 6', values: [tenant] },
      {
        text: 'UPDATE audit_chain SET seq = 6 WHERE tenant_id = $1 AND seq = 1000000',
        values: [tenant],
      },
    ]);
    const report = await verify(tenant);
    expect(report.first).toMatchObject({ kind: 'link_mismatch', seq: 5 });
    expect(report.tenants[0]?.findings.map((f) => f.kind)).toContain('reordered');
    expect(report.tenants[0]?.findings.some((f) => f.row?.id === fifth.rowId)).toBe(true);
  });

  it('names where rows reordered and consistently re-chained depart from the checkpoints (rewritten)', async () => {
    const tenant = await sealedTenant();
    const fourth = await entryAt(tenant, 4);
    const fifth = await entryAt(tenant, 5);
    await resealConsistently(tenant, (ids) => {
      const swapped = [...ids];
      [swapped[3], swapped[4]] = [swapped[4] as string, swapped[3] as string];
      return swapped;
    });
    const report = await verify(tenant);
    expect([fourth.rowId, fifth.rowId]).toContain(report.first?.row?.id);
    expect(report.first).toMatchObject({ seq: 4 });
    expect(['rewritten', 'reordered']).toContain(report.first?.kind);
  });

  it('names the first missing position of a truncated tail (truncated)', async () => {
    const tenant = await sealedTenant();
    const tail = (await readEntries(database.operatorDb(), tenant)).filter((e) => e.seq > 15);
    await asOwnerWithoutTriggers(database, [
      { text: 'DELETE FROM audit_chain WHERE tenant_id = $1 AND seq > 15', values: [tenant] },
      ...tail.map((entry) => ({
        text: `DELETE FROM ${entry.kind === 'audit' ? 'audit_log' : entry.kind === 'event' ? 'outbox' : 'state_transitions'} WHERE id = $1`,
        values: [entry.rowId],
      })),
    ]);
    expect((await verify(tenant)).first).toMatchObject({ kind: 'truncated', seq: 16 });
  });

  it('names the row an owner edited and then re-chained consistently, from the checkpoints (rewritten)', async () => {
    const tenant = await sealedTenant();
    const target = await firstOfKind(tenant, 'event', 1);
    await asOwnerWithoutTriggers(database, [
      {
        text: `UPDATE outbox SET payload = jsonb_set(payload, '{submittedBy}', '"mallory"') WHERE id = $1`,
        values: [target.rowId],
      },
    ]);
    await resealConsistently(tenant);
    // Without the checkpoints, the chain alone looks intact.
    const chainOnly = await verifyChains(
      database.operatorDb(),
      {
        description: 'none',
        put: async () => {},
        list: async () => ({ checkpoints: [], conflicts: [] }),
        read: async () => ({ checkpoints: [], conflicts: [] }),
      },
      { tenantId: tenant },
    );
    expect(chainOnly.first).toBeNull();
    expect((await verify(tenant)).first).toMatchObject({
      kind: 'rewritten',
      seq: target.seq,
      row: { kind: 'event', id: target.rowId },
    });
  });

  it('fails a tenant whose history and chain are gone while its checkpoints remain (truncated at 1)', async () => {
    const tenant = await sealedTenant();
    await asOwnerWithoutTriggers(database, [
      { text: 'DELETE FROM audit_chain WHERE tenant_id = $1', values: [tenant] },
      { text: 'DELETE FROM state_transitions WHERE tenant_id = $1', values: [tenant] },
      { text: 'DELETE FROM audit_log WHERE tenant_id = $1', values: [tenant] },
      { text: 'DELETE FROM outbox WHERE tenant_id = $1', values: [tenant] },
    ]);
    const report = await verify(tenant);
    expect(report.ok).toBe(false);
    expect(report.first).toMatchObject({ kind: 'truncated', seq: 1, tenantId: tenant });
  });

  it('names a checkpoint written over in the store (checkpoint_conflict)', async () => {
    const tenant = await sealedTenant();
    const dir = process.env.AUDIT_CHECKPOINT_DIR as string;
    const file = path.join(dir, `${encodeURIComponent(tenant)}.jsonl`);
    const [line] = (await fs.readFile(file, 'utf8')).split('\n');
    const forged = { ...JSON.parse(line as string), headHash: 'f'.repeat(64) };
    await fs.appendFile(file, `${JSON.stringify(forged)}\n`);
    expect((await verify(tenant)).first).toMatchObject({ kind: 'checkpoint_conflict' });
  });

  it('accepts events pruned after publication and retention, checking their links', async () => {
    const tenant = await sealedTenant();
    await database.sql(
      `UPDATE outbox SET status = 'published', published_at = now() - interval '9 days'
        WHERE tenant_id = $1`,
      [tenant],
    );
    expect(
      await prunePublished(database.relayDb(), { olderThanMs: 7 * 86_400_000, limit: 1000 }),
    ).toBeGreaterThanOrEqual(6);
    const report = await verify(tenant);
    expect(report.first).toBeNull();
    expect(report.tenants[0]).toMatchObject({ pruned: 6, entries: 18 });
  });
});
