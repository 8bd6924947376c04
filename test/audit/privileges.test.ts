import { describe, expect, it } from 'vitest';
import { writeHistory } from '../support/audit-chain';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

/** The SQLSTATE a statement fails with, or null when it succeeds. */
async function failureOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('who may write the audit chain', () => {
  it("refuses the API's role writing chain entries or checkpoints, reading heads, and sealing (42501)", async () => {
    const tenant = 'chain-api';
    await writeHistory(tenant, 1);
    const statements = [
      `INSERT INTO audit_chain (tenant_id, seq, kind, row_id, txid, occurred_at, content_hash, prev_hash, hash)
       VALUES ('chain-api', 1, 'audit', gen_random_uuid(), '1', now(), 'a', 'b', 'c')`,
      `INSERT INTO audit_chain_heads (tenant_id, chain_id, seq, hash) VALUES ('chain-api', gen_random_uuid(), 0, 'x')`,
      `INSERT INTO audit_checkpoints (tenant_id, checkpoint_no, chain_id, from_seq, to_seq, prev_hash, head_hash, outbox_id)
       VALUES ('chain-api', 1, gen_random_uuid(), 1, 1, 'a', 'b', gen_random_uuid())`,
      'SELECT seal_audit_chain(10, 10)',
      // It reads its own tenant's entries and checkpoint records (for the console's export,
      // migration 0018), never the heads; operator-audit-export.test.ts tries the others.
      'SELECT * FROM audit_chain_heads',
      "UPDATE audit_checkpoints SET head_hash = 'x'",
      "UPDATE audit_chain SET hash = 'x'",
      'DELETE FROM audit_chain',
    ];
    for (const statement of statements) {
      expect(await failureOf(database.sqlAs('api', statement)), statement).toBe('42501');
    }
  });

  it('refuses a checkpoint event that no sealing wrote, whoever inserts it (AF001)', async () => {
    const client = database.sqlAs(
      'api',
      `WITH t AS (SELECT set_config('auditflow.tenant_id', 'chain-forger', true))
       INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                           payload, correlation_id, actor)
       SELECT gen_random_uuid(), 'chain-forger', 'audit_chain', gen_random_uuid(), 1,
              'audit.checkpoint.v1', '{}', 'c', 'system:audit-chain' FROM t`,
    );
    expect(await failureOf(client)).toBe('AF001');
  });

  it('lets the relay and the operator seal, and the operator read the chain, but neither write it directly', async () => {
    await writeHistory('chain-roles', 1);
    expect(
      await failureOf(database.sqlAs('relay', 'SELECT seal_audit_chain(100, 100)')),
    ).toBeNull();
    expect(
      await failureOf(database.sqlAs('operator', 'SELECT seal_audit_chain(100, 100)')),
    ).toBeNull();
    const { rows } = await database.sqlAs(
      'operator',
      `SELECT count(*)::int AS n FROM audit_chain WHERE tenant_id = 'chain-roles'`,
    );
    expect(rows).toEqual([{ n: 6 }]);
    for (const role of ['relay', 'operator'] as const) {
      expect(
        await failureOf(
          database.sqlAs(role, `DELETE FROM audit_chain WHERE tenant_id = 'chain-roles'`),
        ),
      ).toBe('42501');
    }
  });

  it('refuses to seal inside a REPEATABLE READ transaction, whose snapshot predates the sealing lock (AF008)', async () => {
    const statement = database.sqlAs(
      'relay',
      'BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT seal_audit_chain(10, 10); COMMIT;',
    );
    expect(await failureOf(statement)).toBe('AF008');
  });
});
