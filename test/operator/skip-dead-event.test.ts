import { createPayrollRun, submitPayrollRun } from '@auditflow/domain';
import { retryDeadEvent, skipDeadEvent } from '@auditflow/operator';
import { describe, expect, it } from 'vitest';
import { aPayrollRun } from '../support/api';
import { attempt } from '../support/attempt';
import { useTestDatabase } from '../support/database';
import { relayFor, useEventBridgeEndpoint } from '../support/relay';

const database = useTestDatabase();
const endpoint = useEventBridgeEndpoint();
let counter = 0;

type OutboxRow = { id: string; aggregate_version: number; status: string };

/** A run whose creation event the bus refused for good, then submitted: version 2 waits behind a dead version 1. */
async function runBehindADeadEvent() {
  const tenantId = `skip-${++counter}`;
  const ctx = { tenantId, actor: 'alice', correlationId: `skip-${counter}` };
  const { state } = await createPayrollRun(database.db(), ctx, aPayrollRun);
  endpoint().faults.entryError = () => 'InvalidArgument';
  await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
  endpoint().reset();
  await submitPayrollRun(database.db(), { ...ctx, actor: 'bob' }, { id: state.id }, undefined);
  await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
  const { rows } = await database.sql(
    'SELECT id, aggregate_version, status FROM outbox WHERE aggregate_id = $1 ORDER BY aggregate_version',
    [state.id],
  );
  return {
    tenantId,
    runId: state.id,
    events: rows as [OutboxRow, OutboxRow],
  };
}

const statuses = async (runId: string) =>
  (
    await database.sql(
      'SELECT status FROM outbox WHERE aggregate_id = $1 ORDER BY aggregate_version',
      [runId],
    )
  ).rows.map((row) => row.status);

const versionsSent = () =>
  endpoint().accepted.map(
    (event) => (event.detail as { aggregate: { version: number } }).aggregate.version,
  );

const request = (eventId: string, tenantId: string | null) => ({
  eventId,
  tenantId,
  actor: 'operator:olga',
  reason: 'the bus rule for this type is gone for good',
  correlationId: 'skip-test',
});

describe('a dead event and its aggregate', () => {
  it("holds back the aggregate's later versions while an earlier one is dead", async () => {
    const { events } = await runBehindADeadEvent();
    expect(events.map((e) => e.status)).toEqual(['dead', 'pending']);
    expect(endpoint().accepted).toEqual([]);
  });

  it('sends the dead event before its successor once it is retried', async () => {
    const { tenantId, runId, events } = await runBehindADeadEvent();
    const [dead] = events;
    expect(await retryDeadEvent(database.operatorDb(), request(dead.id, tenantId))).not.toBeNull();
    await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
    expect(await statuses(runId)).toEqual(['published', 'published']);
    expect(versionsSent()).toEqual([1, 2]);
  });

  it('never sends a skipped event, sends its successor, and records who skipped it and why', async () => {
    const { tenantId, runId, events } = await runBehindADeadEvent();
    const [dead] = events;
    const action = await skipDeadEvent(database.operatorDb(), request(dead.id, tenantId));
    expect(action).toMatchObject({ tenantId });
    await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
    expect(await statuses(runId)).toEqual(['skipped', 'published']);
    expect(versionsSent()).toEqual([2]);
    const { rows } = await database.sql(
      'SELECT tenant_id, actor, action, reason, correlation_id FROM operator_actions WHERE target_event_id = $1',
      [dead.id],
    );
    expect(rows).toEqual([
      {
        tenant_id: tenantId,
        actor: 'operator:olga',
        action: 'skip_dead_event',
        reason: 'the bus rule for this type is gone for good',
        correlation_id: 'skip-test',
      },
    ]);
  });

  it('skips and records nothing for an event that is not dead, or of another tenant', async () => {
    const { tenantId, runId, events } = await runBehindADeadEvent();
    const [dead, pending] = events;
    expect(await skipDeadEvent(database.operatorDb(), request(pending.id, tenantId))).toBeNull();
    expect(
      await skipDeadEvent(database.operatorDb(), request(dead.id, 'another-tenant')),
    ).toBeNull();
    expect(await skipDeadEvent(database.operatorDb(), request(dead.id, tenantId))).not.toBeNull();
    // Repeated: the event is no longer dead.
    expect(await skipDeadEvent(database.operatorDb(), request(dead.id, tenantId))).toBeNull();
    expect(await statuses(runId)).toEqual(['skipped', 'pending']);
    const { rows } = await database.sql(
      'SELECT count(*)::int AS n FROM operator_actions WHERE target_event_id = ANY($1::uuid[])',
      [[dead.id, pending.id]],
    );
    expect(rows[0]?.n).toBe(1);
  });

  it("lets the API's role skip only the tenant its transaction names, and no other role skip at all", async () => {
    const { tenantId, runId, events } = await runBehindADeadEvent();
    const [dead] = events;
    const skip = `SELECT * FROM skip_dead_event(gen_random_uuid(), NULL, '${dead.id}', 'mallory', 'x', 'c')`;
    expect(await attempt(database.roleUrl('api'), [skip], { tenant: 'other-tenant' })).toBeNull();
    expect(await attempt(database.roleUrl('api'), [skip])).toBeNull();
    expect(await attempt(database.roleUrl('relay'), [skip])).toBe('42501');
    expect(await statuses(runId)).toEqual(['dead', 'pending']);
    expect(await attempt(database.roleUrl('api'), [skip], { tenant: tenantId })).toBeNull();
    expect(await statuses(runId)).toEqual(['skipped', 'pending']);
  });
});
