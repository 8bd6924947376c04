import { createDb } from '@auditflow/db';
import { createPayrollRun } from '@auditflow/domain';
import { describe, expect, it } from 'vitest';
import { aPayrollRun } from '../support/api';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

/** Index scans of the outbox so far, by index name, as the statistics collector counts them. */
async function outboxIndexScans(): Promise<Record<string, number>> {
  const { rows } = await database.sql(
    `SELECT indexrelname AS name, idx_scan::int AS scans FROM pg_stat_user_indexes WHERE relname = 'outbox'`,
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.scans]));
}

async function createRuns(db: Parameters<typeof createPayrollRun>[0], tenantId: string, n: number) {
  for (let i = 0; i < n; i++) {
    await createPayrollRun(db, { tenantId, actor: 'alice', correlationId: `c-${i}` }, aPayrollRun);
  }
}

describe('the commit-time history check', () => {
  it("probes the outbox by its unique key even when the statistics predate the tenant's rows", async () => {
    // Statistics taken while the tenant had no rows: its tenant_id looks rare,
    // which once made the planner walk the tenant's whole outbox per write.
    await createRuns(database.db(), 'plans-old', 20);
    await database.sql('ANALYZE outbox');
    await createRuns(database.db(), 'plans-new', 120);

    const before = await outboxIndexScans();
    // One write on a connection of its own, closed so its counts are flushed.
    const writer = createDb({ target: { connectionString: database.roleUrl('api') }, max: 1 });
    await createRuns(writer, 'plans-new', 1);
    await writer.destroy();
    const after = await outboxIndexScans();

    const grew = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
    expect(grew('outbox_by_tenant_time')).toBe(0);
    expect(grew('outbox_aggregate_type_aggregate_id_aggregate_version_key')).toBeGreaterThan(0);
  });
});
