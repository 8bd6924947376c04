import { ewaRequestTransitions } from '@auditflow/domain';
import { routes } from '@auditflow/functions';
import { describe, expect, it } from 'vitest';
import { anEwaRequest, type Caller, call } from '../support/api';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

let tenantCounter = 0;
const newTenant = () => `ewa-${++tenantCounter}`;

type Command = keyof typeof ewaRequestTransitions;
type HistoryItem = {
  version: number;
  command: string;
  toStatus: string;
  actor: string;
  audit: { action: string };
};

async function createRequest(as: Caller, body: object = anEwaRequest) {
  const created = await call('POST', '/ewa-requests', { as, body });
  expect(created.status).toBe(201);
  return created.body as { id: string; version: number; status: string };
}

async function apply(as: Caller, id: string, command: Command) {
  const body = command === 'decline' ? { reason: 'Over the monthly limit' } : undefined;
  return call('POST', `/ewa-requests/${id}/${command}`, { as, body });
}

/** Rows of the tenant that any write would add to. */
async function countRows(tenant: string) {
  const { rows } = await database.sql(
    `SELECT (SELECT count(*)::int FROM ewa_requests WHERE tenant_id = $1) AS requests,
            (SELECT count(*)::int FROM outbox WHERE tenant_id = $1) AS events,
            (SELECT count(*)::int FROM idempotency_keys WHERE tenant_id = $1) AS keys`,
    [tenant],
  );
  return rows[0] as { requests: number; events: number; keys: number };
}

const ids = (body: { items: { id: string }[] }) => body.items.map((item) => item.id);

describe('EWA requests over HTTP', () => {
  it('creates a request in REQUESTED at version 1, with its Location', async () => {
    const alice = { tenant: newTenant(), sub: 'alice' };
    const created = await call('POST', '/ewa-requests', { as: alice, body: anEwaRequest });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/ewa-requests/${created.body.id}`);
    expect(created.headers.etag).toBe('"1"');
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'REQUESTED',
      version: 1,
      ...anEwaRequest,
      createdBy: 'alice',
      approvedBy: null,
      disbursedBy: null,
      declineReason: null,
    });
    const fetched = await call('GET', created.headers.location ?? '', { as: alice });
    expect(fetched.body).toEqual(created.body);
  });

  it('takes a request from requested to disbursed, with its history oldest first', async () => {
    const tenant = newTenant();
    const alice = { tenant, sub: 'alice' };
    const bob = { tenant, sub: 'bob' };
    const request = await createRequest(alice);

    const approved = await apply(bob, request.id, 'approve');
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'APPROVED', version: 2, approvedBy: 'bob' });
    const disbursed = await apply(bob, request.id, 'disburse');
    expect(disbursed.status).toBe(200);
    expect(disbursed.body).toMatchObject({ status: 'DISBURSED', version: 3, disbursedBy: 'bob' });
    expect(disbursed.headers.etag).toBe('"3"');

    const history = await call('GET', `/ewa-requests/${request.id}/history`, { as: alice });
    expect(history.status).toBe(200);
    const steps = history.body.items.map((item: HistoryItem) => [
      item.version,
      item.command,
      item.toStatus,
      item.actor,
      item.audit.action,
    ]);
    expect(steps).toEqual([
      [1, 'create', 'REQUESTED', 'alice', 'EwaRequestCreated'],
      [2, 'approve', 'APPROVED', 'bob', 'EwaRequestApproved'],
      [3, 'disburse', 'DISBURSED', 'bob', 'EwaRequestDisbursed'],
    ]);

    const events = await database.sql(
      'SELECT event_type FROM outbox WHERE aggregate_id = $1 ORDER BY aggregate_version',
      [request.id],
    );
    expect(events.rows.map((row) => row.event_type)).toEqual([
      'ewa.request_created.v1',
      'ewa.request_approved.v1',
      'ewa.request_disbursed.v1',
    ]);
  });

  it('declines a requested request with its reason', async () => {
    const alice = { tenant: newTenant(), sub: 'alice' };
    const request = await createRequest(alice);
    const declined = await call('POST', `/ewa-requests/${request.id}/decline`, {
      as: alice,
      body: { reason: 'Over the monthly limit' },
    });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({
      status: 'DECLINED',
      version: 2,
      declineReason: 'Over the monthly limit',
    });
  });

  it('refuses disbursement by the person who requested the payout, even once approved', async () => {
    const tenant = newTenant();
    const alice = { tenant, sub: 'alice' };
    const request = await createRequest(alice);
    expect((await apply({ tenant, sub: 'bob' }, request.id, 'approve')).status).toBe(200);
    const refused = await apply(alice, request.id, 'disburse');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('segregation_of_duties');
    const current = await call('GET', `/ewa-requests/${request.id}`, { as: alice });
    expect(current.body).toMatchObject({ status: 'APPROVED', version: 2 });
  });

  it('refuses approval by the person who requested the payout with 403 and writes nothing', async () => {
    const alice = { tenant: newTenant(), sub: 'alice' };
    const request = await createRequest(alice);
    const refused = await apply(alice, request.id, 'approve');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('segregation_of_duties');
    const current = await call('GET', `/ewa-requests/${request.id}`, { as: alice });
    expect(current.body).toMatchObject({ status: 'REQUESTED', version: 1 });
  });

  // Every status the API can reach, and the commands that lead there.
  const reachedBy: Record<string, Command[]> = {
    REQUESTED: [],
    APPROVED: ['approve'],
    DECLINED: ['decline'],
    DISBURSED: ['approve', 'disburse'],
  };
  // Commands with an HTTP route (settle comes only from a subscriber).
  const httpCommands = (Object.keys(ewaRequestTransitions) as Command[]).filter((command) =>
    routes.some((route) => route.path === `/ewa-requests/{id}/${command}`),
  );
  const refusedTransitions = Object.entries(reachedBy).flatMap(([status, path]) =>
    httpCommands
      .filter((command) => !(ewaRequestTransitions[command].from as string[]).includes(status))
      .map((command) => ({ status, path, command })),
  );

  it.each(refusedTransitions)(
    'answers 409 to $command from $status and changes nothing',
    async ({ status, path, command }) => {
      const alice = { tenant: newTenant(), sub: 'alice' };
      const bob = { tenant: alice.tenant, sub: 'bob' };
      const request = await createRequest(alice);
      for (const step of path) expect((await apply(bob, request.id, step)).status).toBe(200);
      const before = await call('GET', `/ewa-requests/${request.id}`, { as: alice });
      expect(before.body.status).toBe(status);

      const refused = await apply(bob, request.id, command);
      expect(refused.status).toBe(409);
      expect(refused.headers['content-type']).toBe('application/problem+json');
      expect(refused.body.code).toBe('invalid_transition');
      const after = await call('GET', `/ewa-requests/${request.id}`, { as: alice });
      expect(after.body).toEqual(before.body);
    },
  );

  it('answers 412 when If-Match names a stale version, and applies a current one', async () => {
    const alice = { tenant: newTenant(), sub: 'alice' };
    const bob = { tenant: alice.tenant, sub: 'bob' };
    const request = await createRequest(alice);
    const stale = await call('POST', `/ewa-requests/${request.id}/approve`, {
      as: bob,
      headers: { 'If-Match': '"2"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('version_mismatch');
    const current = await call('POST', `/ewa-requests/${request.id}/approve`, {
      as: bob,
      headers: { 'If-Match': '"1"' },
    });
    expect(current.status).toBe(200);
    const weak = await call('POST', `/ewa-requests/${request.id}/disburse`, {
      as: bob,
      headers: { 'If-Match': 'W/"2"' },
    });
    expect(weak.body).toMatchObject({ status: 'DISBURSED', version: 3 });
  });

  it('lets exactly one of several racing approvals win; the others get 409', async () => {
    const tenant = newTenant();
    const request = await createRequest({ tenant, sub: 'alice' });
    const responses = await Promise.all(
      ['bob', 'carol', 'dave', 'erin'].map((sub) => apply({ tenant, sub }, request.id, 'approve')),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([200, 409, 409, 409]);
    const { rows } = await database.sql(
      'SELECT count(*)::int AS n FROM outbox WHERE aggregate_id = $1 AND event_type = $2',
      [request.id, 'ewa.request_approved.v1'],
    );
    expect(rows[0].n).toBe(1);
  });

  it('lists the tenant requests newest first, filtered by status, one page at a time', async () => {
    const alice = { tenant: newTenant(), sub: 'alice' };
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await createRequest(alice)).id);
    const [oldest, second, third, fourth, newest] = created as [
      string,
      string,
      string,
      string,
      string,
    ];
    await apply({ tenant: alice.tenant, sub: 'bob' }, oldest, 'approve');
    await apply(alice, third, 'decline');

    const first = await call('GET', '/ewa-requests?limit=2', { as: alice });
    expect(ids(first.body)).toEqual([newest, fourth]);
    const page2 = await call('GET', `/ewa-requests?limit=2&cursor=${first.body.nextCursor}`, {
      as: alice,
    });
    expect(ids(page2.body)).toEqual([third, second]);
    const page3 = await call('GET', `/ewa-requests?limit=2&cursor=${page2.body.nextCursor}`, {
      as: alice,
    });
    expect(page3.body).toEqual({
      items: [expect.objectContaining({ id: oldest })],
      nextCursor: null,
    });

    const approved = await call('GET', '/ewa-requests?status=APPROVED', { as: alice });
    expect(ids(approved.body)).toEqual([oldest]);
    const requested = await call('GET', '/ewa-requests?status=REQUESTED&limit=2', { as: alice });
    expect(ids(requested.body)).toEqual([newest, fourth]);
    const rest = await call(
      'GET',
      `/ewa-requests?status=REQUESTED&limit=2&cursor=${requested.body.nextCursor}`,
      { as: alice },
    );
    expect(rest.body).toEqual({
      items: [expect.objectContaining({ id: second })],
      nextCursor: null,
    });
  });

  it("never shows or changes another tenant's request: 404 on every read and write", async () => {
    const owner = { tenant: newTenant(), sub: 'alice' };
    const intruder = { tenant: newTenant(), sub: 'mallory' };
    const request = await createRequest(owner);
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['GET', '/history', undefined],
      ['POST', '/approve', undefined],
      ['POST', '/decline', { reason: 'Not yours' }],
      ['POST', '/disburse', undefined],
    ] as const) {
      const response = await call(method, `/ewa-requests/${request.id}${suffix}`, {
        as: intruder,
        body,
      });
      expect(response.status, `${method} ${suffix}`).toBe(404);
      expect(response.body.code).toBe('not_found');
      expect(JSON.stringify(response.body)).not.toContain('alice');
    }
    for (const query of ['', '?status=REQUESTED']) {
      const list = await call('GET', `/ewa-requests${query}`, { as: intruder });
      expect(list.body).toEqual({ items: [], nextCursor: null });
    }
    const unchanged = await call('GET', `/ewa-requests/${request.id}`, { as: owner });
    expect(unchanged.body).toMatchObject({ status: 'REQUESTED', version: 1 });
    expect(await countRows(intruder.tenant)).toEqual({ requests: 0, events: 0, keys: 0 });
  });

  describe('with an Idempotency-Key', () => {
    it('replays the same response for the same key and body, and writes nothing more', async () => {
      const alice = { tenant: newTenant(), sub: 'alice' };
      const headers = { 'Idempotency-Key': 'create-1' };
      const first = await call('POST', '/ewa-requests', { as: alice, body: anEwaRequest, headers });
      expect(first.status).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const written = await countRows(alice.tenant);
      expect(written).toEqual({ requests: 1, events: 1, keys: 1 });

      const replay = await call('POST', '/ewa-requests', {
        as: alice,
        body: anEwaRequest,
        headers,
      });
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.headers.location).toBe(first.headers.location);
      expect(replay.body).toEqual(first.body);
      expect(await countRows(alice.tenant)).toEqual(written);
    });

    it('replays a command without applying it twice', async () => {
      const alice = { tenant: newTenant(), sub: 'alice' };
      const request = await createRequest(alice);
      const send = () =>
        call('POST', `/ewa-requests/${request.id}/approve`, {
          as: { tenant: alice.tenant, sub: 'bob' },
          headers: { 'Idempotency-Key': 'approve-1' },
        });
      const first = await send();
      expect(first.body).toMatchObject({ status: 'APPROVED', version: 2 });
      const written = await countRows(alice.tenant);
      const replay = await send();
      expect(replay.status).toBe(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(await countRows(alice.tenant)).toEqual(written);
    });

    it.each([
      ['another body', '/ewa-requests', { ...anEwaRequest, amountMinor: 30000 }],
      ['another route', '/ewa-requests/{id}/approve', undefined],
    ])('refuses the same key with %s with 422 and writes nothing', async (_, path, body) => {
      const alice = { tenant: newTenant(), sub: 'alice' };
      const headers = { 'Idempotency-Key': 'reused-key' };
      const first = await call('POST', '/ewa-requests', { as: alice, body: anEwaRequest, headers });
      const written = await countRows(alice.tenant);
      const reused = await call('POST', path.replace('{id}', first.body.id), {
        as: alice,
        body,
        headers,
      });
      expect(reused.status).toBe(422);
      expect(reused.headers['content-type']).toBe('application/problem+json');
      expect(reused.body.code).toBe('idempotency_key_reused');
      expect(await countRows(alice.tenant)).toEqual(written);
      const unchanged = await call('GET', `/ewa-requests/${first.body.id}`, { as: alice });
      expect(unchanged.body).toEqual(first.body);
    });

    it('creates exactly one request when identical requests race with one key', async () => {
      const alice = { tenant: newTenant(), sub: 'alice' };
      const responses = await Promise.all(
        Array.from({ length: 6 }, () =>
          call('POST', '/ewa-requests', {
            as: alice,
            body: anEwaRequest,
            headers: { 'Idempotency-Key': 'racing-key' },
          }),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(6).fill(201));
      expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
      expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
      expect(await countRows(alice.tenant)).toEqual({ requests: 1, events: 1, keys: 1 });
    });

    it('scopes a key to its tenant: another tenant may use the same key freely', async () => {
      const headers = { 'Idempotency-Key': 'shared-key' };
      const alice = { tenant: newTenant(), sub: 'alice' };
      const bob = { tenant: newTenant(), sub: 'alice' };
      const ofAlice = await call('POST', '/ewa-requests', {
        as: alice,
        body: anEwaRequest,
        headers,
      });
      const ofBob = await call('POST', '/ewa-requests', { as: bob, body: anEwaRequest, headers });
      expect([ofAlice.status, ofBob.status]).toEqual([201, 201]);
      expect(ofBob.headers['idempotent-replayed']).toBeUndefined();
      expect(ofBob.body.id).not.toBe(ofAlice.body.id);
      expect(await countRows(alice.tenant)).toEqual({ requests: 1, events: 1, keys: 1 });
      expect(await countRows(bob.tenant)).toEqual({ requests: 1, events: 1, keys: 1 });
      const visible = await call('GET', `/ewa-requests/${ofAlice.body.id}`, { as: bob });
      expect(visible.status).toBe(404);
    });
  });
});
