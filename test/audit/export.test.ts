import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type AuditExport, exportEntity, sealAuditChain, verifyExport } from '@auditflow/audit';
import { describe, expect, it } from 'vitest';
import { sealAndStore, useCheckpointStore, writeHistory } from '../support/audit-chain';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();
const store = useCheckpointStore();
const ROOT = path.resolve(import.meta.dirname, '../..');

/** `npm run audit -- …` as an operator runs it, against this test's database and checkpoints. */
function audit(...args: string[]) {
  const run = spawnSync('npx', ['tsx', 'packages/local/src/bin/audit.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      DATABASE_URL: database.roleUrl('operator'),
      AUDIT_CHECKPOINT_DIR: process.env.AUDIT_CHECKPOINT_DIR,
    },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('exporting one entity with its proofs', () => {
  it("proves each of an entity's rows offline, from its content to a stored checkpoint", async () => {
    const tenant = 'export-a';
    const [run] = await writeHistory(tenant, 2);
    await writeHistory('export-b', 1);
    await sealAndStore(database, tenant);
    const document = await exportEntity(database.operatorDb(), store(), {
      tenantId: tenant,
      entityId: run as string,
    });
    // Two versions of one run: an audit row, a transition and an event each.
    expect(document.rows.map((row) => row.kind).sort()).toEqual([
      'audit',
      'audit',
      'event',
      'event',
      'transition',
      'transition',
    ]);
    expect(document.checkpoints).toHaveLength(1);
    expect(verifyExport(document)).toEqual([]);

    const edited: AuditExport = structuredClone(document);
    const row = edited.rows[0];
    if (!row?.content) throw new Error('no content');
    row.content = row.content.replace('alice', 'mallory');
    expect(verifyExport(edited)).toEqual([
      expect.objectContaining({ kind: 'content_mismatch', rowId: row.id }),
    ]);

    const reHashed: AuditExport = structuredClone(document);
    const last = reHashed.rows.at(-1);
    if (!last) throw new Error('no row');
    last.prevHash = '0'.repeat(64);
    expect(verifyExport(reHashed).map((f) => f.kind)).toEqual([
      'link_mismatch',
      'not_in_checkpoint',
    ]);
  });

  it("reads only the checkpoints that hold the entity's rows, and leaves rows not yet checkpointed unproven", async () => {
    const tenant = 'export-segments';
    const [first] = await writeHistory(tenant, 1);
    await sealAndStore(database, tenant);
    const [second] = await writeHistory(tenant, 1);
    await sealAndStore(database, tenant);
    const [third] = await writeHistory(tenant, 1);
    // Sealed, so the database records its checkpoint, but not yet in the store.
    await sealAuditChain(database.relayDb());
    const exportOf = (entityId: string | undefined) =>
      exportEntity(database.operatorDb(), store(), { tenantId: tenant, entityId: entityId ?? '' });

    const one = await exportOf(first);
    const two = await exportOf(second);
    expect(one.checkpoints.map((c) => c.checkpointNo)).toEqual([1]);
    expect(two.checkpoints.map((c) => c.checkpointNo)).toEqual([2]);
    expect(verifyExport(one)).toEqual([]);
    expect(verifyExport(two)).toEqual([]);

    const three = await exportOf(third);
    expect(three.checkpoints).toEqual([]);
    expect(three.rows).toHaveLength(6);
    expect(three.rows.every((row) => row.seq !== null && row.checkpointNo === null)).toBe(true);
    expect(verifyExport(three).length).toBeGreaterThan(0);
  });

  it('runs as npm run audit: verify passes a clean chain, fails a tampered one naming the row, export checks offline', async () => {
    const tenant = 'export-cli';
    const [run] = await writeHistory(tenant, 1);
    await sealAndStore(database, tenant);

    const clean = audit('verify', '--tenant', tenant, '--json');
    expect(clean.stderr).toBe('');
    expect(clean.status).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, first: null });

    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-export-'));
    try {
      const file = path.join(dir, 'export.json');
      expect(
        audit('export', '--tenant', tenant, '--entity', run as string, '--out', file).status,
      ).toBe(0);
      expect(audit('check-export', file).status).toBe(0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }

    const { rows } = await database.sql(
      `SELECT id FROM audit_log WHERE tenant_id = $1 AND entity_version = 2`,
      [tenant],
    );
    await database.sql(
      `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
       UPDATE audit_log SET actor = 'mallory' WHERE id = '${rows[0]?.id}';
       ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`,
    );
    const tampered = audit('verify', '--tenant', tenant);
    expect(tampered.status).toBe(1);
    expect(tampered.stdout).toContain(`first finding: content_mismatch in tenant ${tenant}`);
    expect(tampered.stdout).toContain(`audit ${rows[0]?.id}`);
    await database.sql(
      `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
       UPDATE audit_log SET actor = 'alice' WHERE id = '${rows[0]?.id}';
       ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`,
    );
  }, 60_000);
});
