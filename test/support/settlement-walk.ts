import {
  approveEwaRequest,
  approvePayrollRun,
  createEwaRequest,
  createPayrollRun,
  disburseEwaRequest,
  markPayrollRunPaid,
  submitPayrollRun,
} from '@auditflow/domain';
import type { CommandContext } from '@auditflow/write-unit';
import { anEwaRequest, aPayrollRun } from './api';
import type { TestDatabase } from './database';
import { outboxRows, targetEventFor } from './events';

/**
 * The walks the settlement tests take through the domain's commands: a
 * tenant's two people (whoever creates or submits may not approve), a run
 * paid, an advance disbursed, each with the event it published as a
 * subscriber's target receives it.
 */
export function team(prefix: string, n: number) {
  const tenantId = `${prefix}-${n}`;
  const as = (actor: string): CommandContext => ({ tenantId, actor, correlationId: `corr-${n}` });
  return { tenantId, alice: as('alice'), bob: as('bob') };
}

export async function payRun(database: TestDatabase, alice: CommandContext, bob: CommandContext) {
  const db = database.db();
  const { state } = await createPayrollRun(db, alice, aPayrollRun);
  await submitPayrollRun(db, alice, { id: state.id });
  await approvePayrollRun(db, bob, { id: state.id });
  await markPayrollRunPaid(db, bob, { id: state.id });
  return {
    runId: state.id,
    ...(await publishedBy(database, alice, 'payroll.run_paid.v1', state.id)),
  };
}

export async function disburseAdvance(
  database: TestDatabase,
  alice: CommandContext,
  bob: CommandContext,
  overrides = {},
) {
  const db = database.db();
  const { state } = await createEwaRequest(db, alice, { ...anEwaRequest, ...overrides });
  await approveEwaRequest(db, bob, { id: state.id });
  await disburseEwaRequest(db, bob, { id: state.id });
  return {
    id: state.id,
    ...(await publishedBy(database, alice, 'ewa.request_disbursed.v1', state.id)),
  };
}

/** An EWA request's status, version and the run that settled it. */
export async function ewaStatusOf(database: TestDatabase, id: string) {
  const { rows } = await database.sql(
    'SELECT status, version, settled_by_run_id FROM ewa_requests WHERE id = $1',
    [id],
  );
  return rows[0];
}

async function publishedBy(
  database: TestDatabase,
  ctx: CommandContext,
  eventType: string,
  aggregateId: string,
) {
  const row = (await outboxRows(database, ctx.tenantId, eventType)).find(
    (event) => event.aggregate_id === aggregateId,
  );
  if (!row) throw new Error(`no ${eventType} of ${aggregateId}`);
  return { event: targetEventFor(row), eventId: row.id as string };
}
