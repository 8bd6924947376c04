import { approveEwaRequest, createEwaRequest, createPayrollRun } from '@auditflow/domain';
import { lambdaContext } from '@auditflow/local';
import type { CommandContext } from '@auditflow/write-unit';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/subscribers/settle-ewa-on-run-paid';
import { anEwaRequest, aPayrollRun } from '../support/api';
import { useTestDatabase } from '../support/database';
import { outboxRows } from '../support/events';
import { injectFault } from '../support/faults';
import { disburseAdvance, ewaStatusOf, payRun, team } from '../support/settlement-walk';

const database = useTestDatabase();
let counter = 0;
const actors = () => team('settle', ++counter);
const paidRun = (alice: CommandContext, bob: CommandContext) => payRun(database, alice, bob);
const disbursedRequest = async (alice: CommandContext, bob: CommandContext, overrides = {}) =>
  (await disburseAdvance(database, alice, bob, overrides)).id;
const statusOf = (id: string) => ewaStatusOf(database, id);

describe('settle-ewa-on-run-paid', () => {
  it("settles exactly the tenant's disbursed requests of the run's currency and period", async () => {
    const { alice, bob } = actors();
    const matching = [
      await disbursedRequest(alice, bob),
      await disbursedRequest(alice, bob, { employeeId: 'emp-2' }),
    ];
    const otherPeriod = await disbursedRequest(alice, bob, {
      periodStart: '2026-10-01',
      periodEnd: '2026-10-31',
    });
    const otherCurrency = await disbursedRequest(alice, bob, { currency: 'USD' });
    const onlyApproved = (await createEwaRequest(database.db(), alice, anEwaRequest)).state.id;
    await approveEwaRequest(database.db(), bob, { id: onlyApproved });
    const other = actors();
    const otherTenant = await disbursedRequest(other.alice, other.bob);

    const { runId, event, eventId } = await paidRun(alice, bob);
    expect(await handler(event, lambdaContext('settle'))).toBe('processed');

    for (const id of matching) {
      expect(await statusOf(id)).toEqual({
        status: 'SETTLED',
        version: 4,
        settled_by_run_id: runId,
      });
    }
    for (const id of [otherPeriod, otherCurrency, otherTenant])
      expect((await statusOf(id)).status).toBe('DISBURSED');
    expect((await statusOf(onlyApproved)).status).toBe('APPROVED');

    const { rows } = await database.sql(
      `SELECT a.actor, a.action, a.causation_id, o.event_type, o.causation_id AS event_cause, o.correlation_id
         FROM state_transitions t JOIN audit_log a ON a.id = t.audit_id JOIN outbox o ON o.id = t.outbox_id
        WHERE t.command = 'settle' AND t.tenant_id = $1`,
      [alice.tenantId],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toEqual({
        actor: 'subscriber:settle-ewa-on-run-paid',
        action: 'EwaRequestSettled',
        causation_id: eventId,
        event_type: 'ewa.request_settled.v1',
        event_cause: eventId,
        correlation_id: alice.correlationId,
      });
    }
  });

  it('changes nothing when the same event is delivered again', async () => {
    const { alice, bob } = actors();
    const id = await disbursedRequest(alice, bob);
    const { event } = await paidRun(alice, bob);
    expect(await handler(event, lambdaContext('settle'))).toBe('processed');
    const events = (await outboxRows(database, alice.tenantId)).length;
    expect(await handler(event, lambdaContext('settle'))).toBe('duplicate');
    expect(await handler({ ...event, id: 'another-delivery' }, lambdaContext('settle'))).toBe(
      'duplicate',
    );
    expect((await statusOf(id)).version).toBe(4);
    expect((await outboxRows(database, alice.tenantId)).length).toBe(events);
  });

  it('settles each request once when two deliveries of one event race', async () => {
    const { alice, bob } = actors();
    const id = await disbursedRequest(alice, bob);
    const { event } = await paidRun(alice, bob);
    const outcomes = await Promise.all(
      [1, 2, 3].map(() => handler(event, lambdaContext('settle'))),
    );
    expect(outcomes.sort()).toEqual(['duplicate', 'duplicate', 'processed']);
    expect((await statusOf(id)).version).toBe(4);
  });

  it('dead-letters an event that fails its schema instead of retrying it, and writes nothing else', async () => {
    const { alice, bob } = actors();
    const { event } = await paidRun(alice, bob);
    const broken = { ...event, detail: { ...(event.detail as object), data: { currency: 42 } } };
    expect(await handler(broken, lambdaContext('settle'))).toBe('dead-lettered');
    const notOurs = { ...event, 'detail-type': 'payroll.run_created.v1' };
    expect(await handler(notOurs, lambdaContext('settle'))).toBe('dead-lettered');
    expect(await handler({ garbage: true } as never, lambdaContext('settle'))).toBe(
      'dead-lettered',
    );
    const { rows } = await database.sql(
      `SELECT detail_type, reason FROM subscriber_dead_letters WHERE subscriber = 'settle-ewa-on-run-paid' ORDER BY id DESC LIMIT 3`,
    );
    expect(rows.map((row) => row.reason)).toEqual([
      expect.stringContaining('not subscribed'),
      expect.stringContaining('not subscribed to detail-type "payroll.run_created.v1"'),
      expect.stringContaining('does not match its schema'),
    ]);
    const inbox = await database.sql('SELECT count(*)::int AS n FROM inbox WHERE event_id = $1', [
      (event.detail as { id: string }).id,
    ]);
    expect(inbox.rows[0].n).toBe(0);
  });

  it('throws on a transient failure, leaving nothing half-done, and a retry settles', async () => {
    const { alice, bob } = actors();
    const id = await disbursedRequest(alice, bob);
    const { event } = await paidRun(alice, bob);
    const remove = await injectFault(database, 'state_transitions:insert', alice.tenantId);
    try {
      await expect(handler(event, lambdaContext('settle'))).rejects.toThrow('injected fault');
    } finally {
      await remove();
    }
    expect((await statusOf(id)).status).toBe('DISBURSED');
    expect(await handler(event, lambdaContext('settle'))).toBe('processed');
    expect((await statusOf(id)).status).toBe('SETTLED');
  });

  it('settles nothing for a run_paid event whose run is not paid in the database', async () => {
    const { alice, bob } = actors();
    const id = await disbursedRequest(alice, bob);
    const { event } = await paidRun(alice, bob);
    const draft = (await createPayrollRun(database.db(), alice, aPayrollRun)).state;
    const forged = {
      ...event,
      detail: {
        ...(event.detail as object),
        id: crypto.randomUUID(),
        aggregate: { type: 'payroll_run', id: draft.id, version: 4 },
      },
    };
    expect(await handler(forged, lambdaContext('settle'))).toBe('processed');
    expect((await statusOf(id)).status).toBe('DISBURSED');
  });

  it("takes period and currency from the paid run's row, not from the event", async () => {
    const { alice, bob } = actors();
    const december = await disbursedRequest(alice, bob, {
      periodStart: '2026-12-01',
      periodEnd: '2026-12-31',
    });
    const { event } = await paidRun(alice, bob);
    // A forged run_paid.v1 citing November's paid run with December's period.
    const forged = {
      ...event,
      detail: {
        ...(event.detail as { data: object }),
        id: crypto.randomUUID(),
        data: {
          ...(event.detail as { data: object }).data,
          periodStart: '2026-12-01',
          periodEnd: '2026-12-31',
        },
      },
    };
    expect(await handler(forged, lambdaContext('settle'))).toBe('processed');
    expect((await statusOf(december)).status).toBe('DISBURSED');
  });
});
