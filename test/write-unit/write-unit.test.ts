import { EventSchemaViolation } from '@auditflow/core';
import {
  approvePayrollRun,
  createPayrollRun,
  payrollRuns,
  submitPayrollRun,
} from '@auditflow/domain';
import { type CommandContext, defineWriteUnit } from '@auditflow/write-unit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { aPayrollRun, call } from '../support/api';
import { useTestDatabase } from '../support/database';
import { type FaultPoint, injectFault, tenantRowCounts } from '../support/faults';

const database = useTestDatabase();

let counter = 0;
const context = (overrides: Partial<CommandContext> = {}): CommandContext => ({
  tenantId: `write-unit-${++counter}`,
  actor: 'alice',
  correlationId: `corr-${counter}`,
  ...overrides,
});

describe('the write unit', () => {
  it('stamps the audit row, event and transition with the correlation and causation ids', async () => {
    const ctx = context({ causationId: 'event-123' });
    const { state, event } = await createPayrollRun(database.db(), ctx, aPayrollRun);
    const { rows } = await database.sql(
      `SELECT a.correlation_id AS audit_corr, a.causation_id AS audit_cause, a.before, a.after->>'status' AS after_status,
              o.correlation_id AS event_corr, o.causation_id AS event_cause, o.payload, o.status AS delivery,
              t.correlation_id AS transition_corr
         FROM state_transitions t JOIN audit_log a ON a.id = t.audit_id JOIN outbox o ON o.id = t.outbox_id
        WHERE t.aggregate_id = $1`,
      [state.id],
    );
    expect(rows).toEqual([
      {
        audit_corr: ctx.correlationId,
        audit_cause: 'event-123',
        before: null,
        after_status: 'DRAFT',
        event_corr: ctx.correlationId,
        event_cause: 'event-123',
        payload: aPayrollRun,
        delivery: 'pending',
        transition_corr: ctx.correlationId,
      },
    ]);
    const { rows: events } = await database.sql('SELECT id FROM outbox WHERE tenant_id = $1', [
      ctx.tenantId,
    ]);
    expect(events).toEqual([{ id: event?.id }]);
  });

  it('keeps the audit row before and after snapshots of a transition', async () => {
    const ctx = context();
    const { state } = await createPayrollRun(database.db(), ctx, aPayrollRun);
    await submitPayrollRun(database.db(), ctx, { id: state.id });
    const { rows } = await database.sql(
      `SELECT before->>'status' AS before, after->>'status' AS after, (after->>'version')::int AS version
         FROM audit_log WHERE entity_id = $1 AND entity_version = 2`,
      [state.id],
    );
    expect(rows).toEqual([{ before: 'DRAFT', after: 'SUBMITTED', version: 2 }]);
  });

  const creationFaults: FaultPoint[] = [
    'idempotency_keys:insert',
    'payroll_runs:insert',
    'audit_log:insert',
    'outbox:insert',
    'state_transitions:insert',
    'idempotency_keys:update',
    'commit',
  ];

  it.each(creationFaults)('leaves nothing behind when a creation fails at %s', async (point) => {
    const ctx = context({ idempotency: { key: 'k-1', fingerprint: 'f' } });
    const remove = await injectFault(database, point, ctx.tenantId);
    try {
      await expect(createPayrollRun(database.db(), ctx, aPayrollRun)).rejects.toThrow(
        `injected fault at ${point}`,
      );
    } finally {
      await remove();
    }
    expect(await tenantRowCounts(database, ctx.tenantId)).toEqual({
      payroll_runs: 0,
      ewa_requests: 0,
      audit_log: 0,
      outbox: 0,
      state_transitions: 0,
      idempotency_keys: 0,
      max_version: 0,
    });
  });

  const transitionFaults: FaultPoint[] = [
    'idempotency_keys:insert',
    'payroll_runs:update',
    'audit_log:insert',
    'outbox:insert',
    'state_transitions:insert',
    'idempotency_keys:update',
    'commit',
  ];

  it.each(transitionFaults)(
    'leaves the aggregate as it was when a transition fails at %s',
    async (point) => {
      const ctx = context();
      const { state } = await createPayrollRun(database.db(), ctx, aPayrollRun);
      const before = await tenantRowCounts(database, ctx.tenantId);
      const remove = await injectFault(database, point, ctx.tenantId);
      try {
        await expect(
          submitPayrollRun(
            database.db(),
            { ...ctx, idempotency: { key: 'k-2', fingerprint: 'f' } },
            {
              id: state.id,
            },
          ),
        ).rejects.toThrow(`injected fault at ${point}`);
      } finally {
        await remove();
      }
      expect(await tenantRowCounts(database, ctx.tenantId)).toEqual(before);
      const { rows } = await database.sql(
        'SELECT status, version FROM payroll_runs WHERE id = $1',
        [state.id],
      );
      expect(rows).toEqual([{ status: 'DRAFT', version: 1 }]);
    },
  );

  it('answers a fault with a 500 problem that reveals nothing and writes nothing', async () => {
    const tenant = `write-unit-http-${++counter}`;
    const remove = await injectFault(database, 'outbox:insert', tenant);
    try {
      const response = await call('POST', '/payroll-runs', {
        as: { tenant, sub: 'alice' },
        body: aPayrollRun,
      });
      expect(response.status).toBe(500);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body.code).toBe('internal_error');
      expect(JSON.stringify(response.body)).not.toMatch(/injected|outbox|node_modules|\bat /);
    } finally {
      await remove();
    }
    expect((await tenantRowCounts(database, tenant)).payroll_runs).toBe(0);
  });

  it('refuses an event whose data does not match its schema before writing anything', async () => {
    const strictUnit = defineWriteUnit({
      'payroll.run_created.v1': z.strictObject({ grossTotalMinor: z.number().int() }),
    });
    const ctx = context();
    await expect(
      strictUnit.create(database.db(), ctx, payrollRuns, () => ({
        status: 'DRAFT',
        fields: {
          period_start: '2026-11-01',
          period_end: '2026-11-30',
          pay_date: '2026-12-01',
          currency: 'EUR',
          gross_total_minor: 1,
          employee_count: 1,
          created_by: 'alice',
        },
        audit: { action: 'PayrollRunCreated' },
        event: { type: 'payroll.run_created.v1', data: { grossTotalMinor: 1.5 } },
      })),
    ).rejects.toBeInstanceOf(EventSchemaViolation);
    expect((await tenantRowCounts(database, ctx.tenantId)).payroll_runs).toBe(0);
  });

  it('refuses an event type the catalogue does not know', async () => {
    const emptyUnit = defineWriteUnit({});
    const ctx = context();
    const { state } = await createPayrollRun(database.db(), ctx, aPayrollRun);
    const error = await emptyUnit
      .transition(
        database.db(),
        ctx,
        payrollRuns,
        state.id,
        // An empty catalogue admits no decision at all: only a cast gets one past the types.
        () =>
          ({
            command: 'submit',
            status: 'SUBMITTED',
            audit: { action: 'PayrollRunSubmitted' },
            event: { type: 'payroll.run_submitted.v1', data: {} },
          }) as never,
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventSchemaViolation);
    expect((error as EventSchemaViolation).issues).toEqual([
      { path: ['type'], message: 'unknown event type' },
    ]);
  });

  it('replays the first result for a repeated idempotency key and writes nothing more', async () => {
    const ctx = context({ idempotency: { key: 'same', fingerprint: 'request-a' } });
    const first = await createPayrollRun(database.db(), ctx, aPayrollRun);
    const again = await createPayrollRun(database.db(), ctx, aPayrollRun);
    expect(again).toEqual({ state: first.state, event: null, replayed: true });
    expect((await tenantRowCounts(database, ctx.tenantId)).payroll_runs).toBe(1);
    expect((await tenantRowCounts(database, ctx.tenantId)).outbox).toBe(1);
  });

  it('refuses an idempotency key reused for a different request with idempotency_key_reused', async () => {
    const ctx = context({ idempotency: { key: 'same', fingerprint: 'request-a' } });
    await createPayrollRun(database.db(), ctx, aPayrollRun);
    await expect(
      createPayrollRun(
        database.db(),
        { ...ctx, idempotency: { key: 'same', fingerprint: 'request-b' } },
        aPayrollRun,
      ),
    ).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    expect((await tenantRowCounts(database, ctx.tenantId)).payroll_runs).toBe(1);
  });

  it('writes once when the same idempotency key arrives concurrently', async () => {
    const ctx = context({ idempotency: { key: 'burst', fingerprint: 'request-a' } });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => createPayrollRun(database.db(), ctx, aPayrollRun)),
    );
    expect(new Set(results.map((result) => result.state.id)).size).toBe(1);
    expect(results.filter((result) => !result.replayed)).toHaveLength(1);
    expect((await tenantRowCounts(database, ctx.tenantId)).payroll_runs).toBe(1);
  });

  it('serializes racing transitions of one aggregate: one wins, the rest see its result', async () => {
    const ctx = context();
    const { state } = await createPayrollRun(database.db(), ctx, aPayrollRun);
    await submitPayrollRun(database.db(), ctx, { id: state.id });
    const outcomes = await Promise.allSettled(
      ['bob', 'carol', 'dave'].map((actor) =>
        approvePayrollRun(database.db(), { ...ctx, actor }, { id: state.id }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toMatchObject({ code: 'invalid_transition' });
      }
    }
  });

  it('treats an id that is not a UUID as not found without sending it to SQL', async () => {
    await expect(
      submitPayrollRun(database.db(), context(), { id: "x' OR '1'='1" }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});

// The recorder lives as long as this file's module.
