import { SCOPES } from '@auditflow/functions';
import { describe, expect, it } from 'vitest';
import { type Caller, call } from '../support/api';
import { attempt } from '../support/attempt';
import { useTestDatabase } from '../support/database';
import { outboxStatusCounts, relayFor, useEventBridgeEndpoint } from '../support/relay';
import { seedPayrollRuns } from '../support/seed';

const database = useTestDatabase();
const endpoint = useEventBridgeEndpoint();
let counter = 0;

/** A tenant whose events the bus refused for good: every one is dead. */
async function tenantWithDeadEvents(runs = 2) {
  const tenant = `retry-${++counter}`;
  await seedPayrollRuns(database, { tenantId: tenant, runs });
  endpoint().faults.entryError = () => 'InvalidArgument';
  await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
  endpoint().reset();
  const { rows } = await database.sql(
    "SELECT id FROM outbox WHERE tenant_id = $1 AND status = 'dead' ORDER BY id",
    [tenant],
  );
  const operator: Caller = { tenant, sub: 'olga', scopes: [SCOPES.operator] };
  return { tenant, operator, dead: rows.map((row) => row.id as string) };
}

const retry = (as: Caller, id: string, body: unknown = { reason: 'bus rule fixed' }, query = '') =>
  call('POST', `/operator/dead-events/${id}/retry${query}`, {
    as,
    body,
    headers: { 'x-correlation-id': 'retry-from-console' },
  });

describe('retrying a dead event', () => {
  it('records the operator action and makes the event pending again, and the relay then publishes it', async () => {
    const { tenant, operator, dead } = await tenantWithDeadEvents();
    const [target] = dead as [string];
    const response = await retry(operator, target);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ eventId: target, status: 'pending', retried: true });

    const { rows: actions } = await database.sql(
      'SELECT tenant_id, actor, login_role, action, target_event_id, reason, correlation_id FROM operator_actions',
    );
    expect(actions).toEqual([
      {
        tenant_id: tenant,
        actor: 'olga',
        // The route's own role, recorded by the database (the actor is the token's subject).
        login_role: 'auditflow_api',
        action: 'retry_dead_event',
        target_event_id: target,
        reason: 'bus rule fixed',
        correlation_id: 'retry-from-console',
      },
    ]);
    expect(await outboxStatusCounts(database, tenant)).toEqual({ pending: 1, dead: 1 });
    await relayFor(database, endpoint()).drain({ until: Date.now() + 10_000 });
    expect(await outboxStatusCounts(database, tenant)).toEqual({ published: 1, dead: 1 });
  });

  it('changes and records nothing when repeated: the event is no longer dead', async () => {
    const { operator, dead } = await tenantWithDeadEvents(1);
    const [target] = dead as [string];
    await retry(operator, target);
    const again = await retry(operator, target);
    expect(again).toMatchObject({
      status: 200,
      body: { eventId: target, status: 'pending', retried: false, action: null },
    });
    const { rows } = await database.sql(
      'SELECT count(*)::int AS n FROM operator_actions WHERE target_event_id = $1',
      [target],
    );
    expect(rows[0].n).toBe(1);
  });

  it("answers 404 for another tenant's event and leaves it dead", async () => {
    const theirs = await tenantWithDeadEvents(1);
    const mine = await tenantWithDeadEvents(1);
    const response = await retry(mine.operator, theirs.dead[0] as string);
    expect(response).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await outboxStatusCounts(database, theirs.tenant)).toEqual({ dead: 1 });
  });

  it('refuses bad input with 400 naming each field, and writes nothing', async () => {
    const { operator, dead } = await tenantWithDeadEvents(1);
    const badId = await retry(operator, 'not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.errors).toContainEqual({ path: 'path.id', message: 'must be a UUID' });
    const noReason = await retry(operator, dead[0] as string, { reason: '  ', note: 1 });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.note',
      'body.reason',
    ]);
    const { rows } = await database.sql(
      'SELECT count(*)::int AS n FROM operator_actions WHERE target_event_id = $1',
      [dead[0]],
    );
    expect(rows[0].n).toBe(0);
  });

  it('needs the operator scope: a business token gets 403', async () => {
    const { tenant, dead } = await tenantWithDeadEvents(1);
    const response = await retry({ tenant, sub: 'alice' }, dead[0] as string);
    expect(response.status).toBe(403);
  });
});

describe('the operator actions table', () => {
  it.each(['api', 'operator'] as const)(
    'refuses direct INSERT, UPDATE and DELETE by the %s role',
    async (role) => {
      const { operator, dead } = await tenantWithDeadEvents(1);
      await retry(operator, dead[0] as string);
      for (const statement of [
        `INSERT INTO operator_actions (id, tenant_id, actor, action, target_event_id, reason, correlation_id)
       VALUES (gen_random_uuid(), 't', 'a', 'retry_dead_event', gen_random_uuid(), 'r', 'c')`,
        "UPDATE operator_actions SET reason = 'rewritten'",
        'DELETE FROM operator_actions',
      ]) {
        await expect(database.sqlAs(role, statement), statement).rejects.toThrow(
          /permission denied/,
        );
      }
    },
  );

  it("lets the API's role retry only the tenant its transaction names, whatever it passes", async () => {
    const { dead } = await tenantWithDeadEvents(1);
    const [target] = dead as [string];
    const call = (only: string | null, named?: string) =>
      attempt(
        database.roleUrl('api'),
        [
          `SELECT * FROM retry_dead_event(gen_random_uuid(), ${only === null ? 'NULL' : `'${only}'`},
             '${target}', 'mallory', 'not mine', 'c')`,
        ],
        named ? { tenant: named } : {},
      );
    // Every tenant, the event's own tenant named in the call, or no tenant at all: nothing.
    for (const [only, named] of [
      [null, 'other-tenant'],
      [`retry-${counter}`, 'other-tenant'],
      [null, undefined],
    ] as const) {
      expect(await call(only, named)).toBeNull();
    }
    const { rows } = await database.sql('SELECT status FROM outbox WHERE id = $1', [target]);
    expect(rows[0]?.status).toBe('dead');
    const actions = await database.sql(
      'SELECT * FROM operator_actions WHERE target_event_id = $1',
      [target],
    );
    expect(actions.rows).toEqual([]);
  });

  it('is append-only even for its owner', async () => {
    const { operator, dead } = await tenantWithDeadEvents(1);
    await retry(operator, dead[0] as string);
    await expect(database.sql("UPDATE operator_actions SET reason = 'x'")).rejects.toThrow(
      /append-only/,
    );
    await expect(database.sql('DELETE FROM operator_actions')).rejects.toThrow(/append-only/);
  });
});
