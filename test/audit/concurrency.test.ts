import { sealAuditChain, verifyChains } from '@auditflow/audit';
import { describe, expect, it } from 'vitest';
import { sealAndStore, useCheckpointStore, writeHistory } from '../support/audit-chain';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();
const store = useCheckpointStore();

describe('sealing while many writers commit', () => {
  it('reports no finding after concurrent writers in eight tenants and a sealer racing them', async () => {
    const tenants = Array.from({ length: 8 }, (_, i) => `busy-${i}`);
    let writing = true;
    let seals = 0;
    // Small batches and segments, so sealing cuts transactions and
    // checkpoints in the middle of the load.
    const sealer = (async () => {
      while (writing) {
        await sealAuditChain(database.relayDb(), { batch: 40, maxBatches: 1, segmentMax: 25 });
        seals++;
      }
    })();
    try {
      await Promise.all(
        tenants.flatMap((tenant) => [writeHistory(tenant, 6), writeHistory(tenant, 6)]),
      );
    } finally {
      writing = false;
      await sealer;
    }
    for (const tenant of tenants) await sealAndStore(database, tenant);

    const report = await verifyChains(database.operatorDb(), store());
    expect(seals).toBeGreaterThan(1);
    expect(report.tenants.flatMap((t) => t.findings)).toEqual([]);
    expect(report.tenants.map((t) => [t.tenantId, t.entries, t.unsealed, t.unanchored])).toEqual(
      tenants.map((tenant) => [tenant, 72, 0, 0]),
    );
  }, 120_000);
});
