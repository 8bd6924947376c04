import { lambdaContext } from '@auditflow/local';
import type { CommandContext } from '@auditflow/write-unit';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/subscribers/settle-ewa-on-run-paid';
import { anEwaRequest } from '../support/api';
import { useTestDatabase } from '../support/database';
import { outboxRows, targetEventFor } from '../support/events';
import { disburseAdvance, ewaStatusOf, payRun, team } from '../support/settlement-walk';

const database = useTestDatabase();
let counter = 0;
const actors = () => team('late', ++counter);
const paidRun = async (alice: CommandContext, bob: CommandContext) =>
  (await payRun(database, alice, bob)).runId;
const disbursed = (alice: CommandContext, bob: CommandContext, overrides = {}) =>
  disburseAdvance(database, alice, bob, overrides);
const statusOf = (id: string) => ewaStatusOf(database, id);

describe('settle-ewa-on-run-paid, catching up on late disbursements', () => {
  it("settles an advance disbursed after its period's run was paid, against that run, once", async () => {
    const { alice, bob } = actors();
    const runId = await paidRun(alice, bob);
    const late = await disbursed(alice, bob);
    expect(await handler(late.event, lambdaContext('settle'))).toBe('processed');
    expect(await statusOf(late.id)).toEqual({
      status: 'SETTLED',
      version: 4,
      settled_by_run_id: runId,
    });

    const { rows } = await database.sql(
      `SELECT a.actor, a.causation_id FROM state_transitions t JOIN audit_log a ON a.id = t.audit_id
        WHERE t.command = 'settle' AND t.aggregate_id = $1`,
      [late.id],
    );
    expect(rows).toEqual([
      { actor: 'subscriber:settle-ewa-on-run-paid', causation_id: late.eventId },
    ]);
    expect(await handler(late.event, lambdaContext('settle'))).toBe('duplicate');
    expect((await statusOf(late.id)).version).toBe(4);
  });

  it("leaves an advance disbursed before its run is paid to the run's own event", async () => {
    const { alice, bob } = actors();
    const early = await disbursed(alice, bob);
    expect(await handler(early.event, lambdaContext('settle'))).toBe('processed');
    expect((await statusOf(early.id)).status).toBe('DISBURSED');

    const runId = await paidRun(alice, bob);
    const [paid] = await outboxRows(database, alice.tenantId, 'payroll.run_paid.v1');
    if (!paid) throw new Error('no run_paid event');
    expect(await handler(targetEventFor(paid), lambdaContext('settle'))).toBe('processed');
    expect(await statusOf(early.id)).toMatchObject({ status: 'SETTLED', settled_by_run_id: runId });
  });

  it("takes period and currency from the request's row, and only the tenant's paid runs", async () => {
    const { alice, bob } = actors();
    await paidRun(alice, bob);
    // December's advance; a forged message claims November's period and the paid run's currency.
    const december = await disbursed(alice, bob, {
      periodStart: '2026-12-01',
      periodEnd: '2026-12-31',
    });
    const forged = {
      ...december.event,
      detail: {
        ...(december.event.detail as { data: object }),
        data: {
          ...(december.event.detail as { data: object }).data,
          periodStart: anEwaRequest.periodStart,
          periodEnd: anEwaRequest.periodEnd,
        },
      },
    };
    expect(await handler(forged, lambdaContext('settle'))).toBe('processed');
    expect((await statusOf(december.id)).status).toBe('DISBURSED');

    // Another tenant's paid run of the same period settles nothing here.
    const other = actors();
    await paidRun(other.alice, other.bob);
    const unpaidTenant = actors();
    const lonely = await disbursed(unpaidTenant.alice, unpaidTenant.bob);
    expect(await handler(lonely.event, lambdaContext('settle'))).toBe('processed');
    expect((await statusOf(lonely.id)).status).toBe('DISBURSED');
  });
});
