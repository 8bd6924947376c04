import { describe, expect, it } from 'vitest';
import { aPayrollRun, type Caller, call } from '../support/api';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

let tenantCounter = 0;
const newTenant = () => `payroll-${++tenantCounter}`;

async function createRun(as: Caller) {
  const created = await call('POST', '/payroll-runs', { as, body: aPayrollRun });
  expect(created.status).toBe(201);
  return created.body as { id: string; version: number; status: string };
}

describe('payroll runs over HTTP', () => {
  it('takes a run from draft to paid, one version per change, with its history', async () => {
    const tenant = newTenant();
    const alice = { tenant, sub: 'alice' };
    const bob = { tenant, sub: 'bob' };
    const run = await createRun(alice);
    expect(run).toMatchObject({ status: 'DRAFT', version: 1, ...aPayrollRun, createdBy: 'alice' });

    const submitted = await call('POST', `/payroll-runs/${run.id}/submit`, { as: alice });
    expect(submitted.body).toMatchObject({ status: 'SUBMITTED', version: 2, submittedBy: 'alice' });
    const approved = await call('POST', `/payroll-runs/${run.id}/approve`, { as: bob });
    expect(approved.body).toMatchObject({ status: 'APPROVED', version: 3, approvedBy: 'bob' });
    const paid = await call('POST', `/payroll-runs/${run.id}/mark-paid`, { as: bob });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'PAID', version: 4 });
    expect(paid.headers.etag).toBe('"4"');

    const history = await call('GET', `/payroll-runs/${run.id}/history`, { as: alice });
    expect(history.status).toBe(200);
    expect(
      history.body.items.map(
        (item: { command: string; toStatus: string; audit: { action: string } }) => [
          item.command,
          item.toStatus,
          item.audit.action,
        ],
      ),
    ).toEqual([
      ['create', 'DRAFT', 'PayrollRunCreated'],
      ['submit', 'SUBMITTED', 'PayrollRunSubmitted'],
      ['approve', 'APPROVED', 'PayrollRunApproved'],
      ['mark-paid', 'PAID', 'PayrollRunPaid'],
    ]);

    const events = await database.sql(
      'SELECT event_type, aggregate_version FROM outbox WHERE aggregate_id = $1 ORDER BY aggregate_version',
      [run.id],
    );
    expect(events.rows.map((row) => row.event_type)).toEqual([
      'payroll.run_created.v1',
      'payroll.run_submitted.v1',
      'payroll.run_approved.v1',
      'payroll.run_paid.v1',
    ]);
  });

  it('writes state, transition, audit row and event in one transaction', async () => {
    const alice = { tenant: newTenant(), sub: 'alice' };
    const run = await createRun(alice);
    await call('POST', `/payroll-runs/${run.id}/submit`, { as: alice });
    const { rows } = await database.sql(
      `SELECT t.version, t.txid = a.txid AND a.txid = o.txid AS same_tx, a.actor, o.actor AS event_actor
         FROM state_transitions t
         JOIN audit_log a ON a.id = t.audit_id
         JOIN outbox o ON o.id = t.outbox_id
        WHERE t.aggregate_id = $1 ORDER BY t.version`,
      [run.id],
    );
    expect(rows).toEqual([
      { version: 1, same_tx: true, actor: 'alice', event_actor: 'alice' },
      { version: 2, same_tx: true, actor: 'alice', event_actor: 'alice' },
    ]);
  });

  it('refuses approval by the actor who submitted the run with 403 and writes nothing', async () => {
    const alice = { tenant: newTenant(), sub: 'alice' };
    const run = await createRun(alice);
    await call('POST', `/payroll-runs/${run.id}/submit`, { as: alice });
    const refused = await call('POST', `/payroll-runs/${run.id}/approve`, { as: alice });
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.body.code).toBe('segregation_of_duties');
    const current = await call('GET', `/payroll-runs/${run.id}`, { as: alice });
    expect(current.body).toMatchObject({ status: 'SUBMITTED', version: 2 });
  });

  it('refuses approval by the creator of a run that someone else submitted, and writes nothing', async () => {
    const tenant = newTenant();
    const alice = { tenant, sub: 'alice' };
    const bob = { tenant, sub: 'bob' };
    const run = await createRun(alice);
    await call('POST', `/payroll-runs/${run.id}/submit`, { as: bob });
    const refused = await call('POST', `/payroll-runs/${run.id}/approve`, { as: alice });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('segregation_of_duties');
    const carol = await call('POST', `/payroll-runs/${run.id}/approve`, {
      as: { tenant, sub: 'carol' },
    });
    expect(carol.body).toMatchObject({ status: 'APPROVED', version: 3, approvedBy: 'carol' });
  });

  it('takes two spellings of one name (composed and decomposed) as one actor, so four eyes stay four', async () => {
    const tenant = newTenant();
    const composed = { tenant, sub: 'Ren\u00e9e' };
    const decomposed = { tenant, sub: 'Rene\u0301e' };
    const run = await createRun(composed);
    await call('POST', `/payroll-runs/${run.id}/submit`, { as: composed });
    const refused = await call('POST', `/payroll-runs/${run.id}/approve`, { as: decomposed });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('segregation_of_duties');
  });

  it('refuses a reason with a bidirectional override or a zero-width character, and writes nothing', async () => {
    const tenant = newTenant();
    const alice = { tenant, sub: 'alice' };
    const run = await createRun(alice);
    await call('POST', `/payroll-runs/${run.id}/submit`, { as: alice });
    for (const reason of ['refund \u202etxt.exe', 'ok\u200b']) {
      const refused = await call('POST', `/payroll-runs/${run.id}/reject`, {
        as: { tenant, sub: 'bob' },
        body: { reason },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'body.reason' })]);
    }
    const current = await call('GET', `/payroll-runs/${run.id}`, { as: alice });
    expect(current.body).toMatchObject({ status: 'SUBMITTED', version: 2 });
  });

  it('rejects back to draft with a reason, and the run can be submitted again', async () => {
    const tenant = newTenant();
    const alice = { tenant, sub: 'alice' };
    const bob = { tenant, sub: 'bob' };
    const run = await createRun(alice);
    await call('POST', `/payroll-runs/${run.id}/submit`, { as: alice });
    const rejected = await call('POST', `/payroll-runs/${run.id}/reject`, {
      as: bob,
      body: { reason: 'Gross total is missing overtime' },
    });
    expect(rejected.body).toMatchObject({
      status: 'DRAFT',
      version: 3,
      rejectionReason: 'Gross total is missing overtime',
      submittedBy: null,
    });
    const resubmitted = await call('POST', `/payroll-runs/${run.id}/submit`, { as: bob });
    expect(resubmitted.body).toMatchObject({
      status: 'SUBMITTED',
      version: 4,
      rejectionReason: null,
    });
  });

  it('cancels a draft or submitted run, and nothing after', async () => {
    const alice = { tenant: newTenant(), sub: 'alice' };
    const draft = await createRun(alice);
    const cancelled = await call('POST', `/payroll-runs/${draft.id}/cancel`, {
      as: alice,
      body: { reason: 'Duplicate' },
    });
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancellationReason: 'Duplicate' });
    const again = await call('POST', `/payroll-runs/${draft.id}/cancel`, { as: alice });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_transition');

    const submitted = await createRun(alice);
    await call('POST', `/payroll-runs/${submitted.id}/submit`, { as: alice });
    const cancelledWithoutReason = await call('POST', `/payroll-runs/${submitted.id}/cancel`, {
      as: alice,
    });
    expect(cancelledWithoutReason.body).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: null,
    });
  });

  it('answers 409 to every transition the state machine does not allow', async () => {
    const alice = { tenant: newTenant(), sub: 'alice' };
    const run = await createRun(alice);
    for (const command of ['approve', 'mark-paid']) {
      const response = await call('POST', `/payroll-runs/${run.id}/${command}`, { as: alice });
      expect(response.status, command).toBe(409);
      expect(response.body.code).toBe('invalid_transition');
    }
    const reject = await call('POST', `/payroll-runs/${run.id}/reject`, {
      as: alice,
      body: { reason: 'x' },
    });
    expect(reject.status).toBe(409);
  });

  it('answers 412 when If-Match names a stale version, and applies a current one', async () => {
    const alice = { tenant: newTenant(), sub: 'alice' };
    const run = await createRun(alice);
    const stale = await call('POST', `/payroll-runs/${run.id}/submit`, {
      as: alice,
      headers: { 'If-Match': '"7"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('version_mismatch');
    const current = await call('POST', `/payroll-runs/${run.id}/submit`, {
      as: alice,
      headers: { 'If-Match': '"1"' },
    });
    expect(current.status).toBe(200);
  });

  it('lets exactly one of two racing approvals win; the other gets 409', async () => {
    const tenant = newTenant();
    const alice = { tenant, sub: 'alice' };
    const run = await createRun(alice);
    await call('POST', `/payroll-runs/${run.id}/submit`, { as: alice });
    const responses = await Promise.all(
      ['bob', 'carol', 'dave', 'erin'].map((sub) =>
        call('POST', `/payroll-runs/${run.id}/approve`, { as: { tenant, sub } }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409]);
    const { rows } = await database.sql(
      "SELECT count(*)::int AS n FROM outbox WHERE aggregate_id = $1 AND event_type = 'payroll.run_approved.v1'",
      [run.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('lists the tenant runs newest first, filtered by status, one page at a time', async () => {
    const alice = { tenant: newTenant(), sub: 'alice' };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createRun(alice)).id);
    await call('POST', `/payroll-runs/${ids[0]}/submit`, { as: alice });

    const first = await call('GET', '/payroll-runs?limit=2', { as: alice });
    expect(first.body.items.map((item: { id: string }) => item.id)).toEqual([ids[4], ids[3]]);
    const second = await call('GET', `/payroll-runs?limit=2&cursor=${first.body.nextCursor}`, {
      as: alice,
    });
    expect(second.body.items.map((item: { id: string }) => item.id)).toEqual([ids[2], ids[1]]);
    const third = await call('GET', `/payroll-runs?limit=2&cursor=${second.body.nextCursor}`, {
      as: alice,
    });
    expect(third.body).toEqual({
      items: [expect.objectContaining({ id: ids[0] })],
      nextCursor: null,
    });

    const submitted = await call('GET', '/payroll-runs?status=SUBMITTED', { as: alice });
    expect(submitted.body.items.map((item: { id: string }) => item.id)).toEqual([ids[0]]);
  });

  it("never shows or changes another tenant's run: 404 on every read and write", async () => {
    const owner = { tenant: newTenant(), sub: 'alice' };
    const intruder = { tenant: newTenant(), sub: 'mallory' };
    const run = await createRun(owner);
    for (const [method, suffix] of [
      ['GET', ''],
      ['GET', '/history'],
      ['POST', '/submit'],
      ['POST', '/cancel'],
    ] as const) {
      const response = await call(method, `/payroll-runs/${run.id}${suffix}`, { as: intruder });
      expect(response.status, `${method} ${suffix}`).toBe(404);
      expect(JSON.stringify(response.body)).not.toContain('alice');
    }
    const list = await call('GET', '/payroll-runs', { as: intruder });
    expect(list.body.items).toEqual([]);
    const unchanged = await call('GET', `/payroll-runs/${run.id}`, { as: owner });
    expect(unchanged.body).toMatchObject({ status: 'DRAFT', version: 1 });
  });
});
