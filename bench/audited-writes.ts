import { setTimeout as sleep } from 'node:timers/promises';
import type { DB } from '@auditflow/db';
import { createPayrollRun, rejectPayrollRun, submitPayrollRun } from '@auditflow/domain';
import type { EventBridgeEndpoint } from '@auditflow/local';
import type { Kysely } from 'kysely';

/** One write: when it started, when its commit returned, and when its event reached the endpoint. */
export interface TimedWrite {
  startedAt: number;
  committedAt: number;
  acceptedAt?: number;
}

export interface WriteLoad {
  writes: TimedWrite[];
  errors: number;
  firstError?: string;
  /** Writes that committed per second of the load. */
  achievedPerSecond: number;
}

/**
 * Audited writes through the write unit, on an open-loop schedule (a write
 * starts when it is due, whether or not earlier ones returned), each with
 * its own correlation id, which its event carries to the endpoint, so commit
 * and acceptance pair up exactly. `nextDelayMs` spaces them: a constant for
 * a steady rate, a random draw for sparse traffic. Writes during `warmupMs`
 * are not kept; after the last one it waits up to `settleMs` for events.
 */
export async function timeAuditedWrites(options: {
  db: Kysely<DB>;
  endpoint: EventBridgeEndpoint;
  tenantId: string;
  nextDelayMs: () => number;
  durationMs: number;
  warmupMs: number;
  settleMs: number;
}): Promise<WriteLoad> {
  const timed = new Map<string, TimedWrite>();
  const load: WriteLoad = { writes: [], errors: 0, achievedPerSecond: 0 };
  const unsubscribe = options.endpoint.onAccepted((batch) => {
    const now = performance.now();
    for (const event of batch) {
      const id = (event.detail as { correlationId?: string }).correlationId;
      const write = id ? timed.get(id) : undefined;
      if (write && write.acceptedAt === undefined) write.acceptedAt = now;
    }
    // The endpoint keeps every event for tests; this needs only the times above.
    options.endpoint.accepted.length = 0;
  });
  const next = nextWrite(options.db, options.tenantId);
  const started = performance.now();
  const measureFrom = started + options.warmupMs;
  const end = measureFrom + options.durationMs;
  const inFlight: Promise<void>[] = [];
  let index = 0;
  let dueAt = started + options.nextDelayMs();
  while (dueAt < end) {
    const now = performance.now();
    if (now < dueAt) {
      await sleep(Math.min(dueAt - now, 1_000));
      continue;
    }
    const correlationId = `bench-${options.tenantId}-${index++}`;
    const measured = dueAt >= measureFrom;
    const startedAt = performance.now();
    inFlight.push(
      next(correlationId).then(
        () => {
          if (measured) timed.set(correlationId, { startedAt, committedAt: performance.now() });
        },
        (error) => {
          load.errors++;
          load.firstError ??= String(error);
        },
      ),
    );
    dueAt += options.nextDelayMs();
  }
  await Promise.all(inFlight);
  const settleUntil = performance.now() + options.settleMs;
  const waiting = () => [...timed.values()].some((w) => w.acceptedAt === undefined);
  while (waiting() && performance.now() < settleUntil) await sleep(10);
  unsubscribe();
  load.writes = [...timed.values()];
  load.achievedPerSecond = (load.writes.length / options.durationMs) * 1000;
  return load;
}

/**
 * The next write for the tenant: one in four creates a payroll run, the
 * others move an idle one DRAFT -> SUBMITTED -> DRAFT (submit, reject), so
 * every write is a real new version with its audit row and event, and a run
 * gets its next command only after its last one returned.
 */
function nextWrite(db: Kysely<DB>, tenantId: string) {
  const idle: { id: string; status: string }[] = [];
  let count = 0;
  return async (correlationId: string) => {
    const ctx = { tenantId, actor: 'bench', correlationId };
    const run = count++ % 4 === 0 ? undefined : idle.shift();
    try {
      const { state } = !run
        ? await createPayrollRun(db, ctx, {
            periodStart: '2026-11-01',
            periodEnd: '2026-11-30',
            payDate: '2026-12-01',
            currency: 'EUR',
            grossTotalMinor: 1_234_500,
            employeeCount: 12,
          })
        : run.status === 'DRAFT'
          ? await submitPayrollRun(db, ctx, { id: run.id })
          : await rejectPayrollRun(db, ctx, { id: run.id }, { reason: 'figures do not match' });
      idle.push({ id: state.id, status: state.status });
    } catch (error) {
      if (run) idle.push(run);
      throw error;
    }
  };
}
