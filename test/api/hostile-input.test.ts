import { isDeepStrictEqual } from 'node:util';
import { loadHandler, type RouteDefinition, routes, SCOPES } from '@auditflow/functions';
import { lambdaContext, toApiGatewayEvent } from '@auditflow/local';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse, CallOptions } from '../support/api';
import { anEwaRequest, aPayrollRun, call } from '../support/api';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

const TENANT = 'hostile-input';
/** Sends every case; other actors prepared the targets, so only validation stands in her way. */
const mallory = { tenant: TENANT, sub: 'mallory', scopes: Object.values(SCOPES) };
const preparer = (step: number) => ({ tenant: TENANT, sub: `preparer-${step}` });

const keyOf = (route: RouteDefinition) => `${route.method} ${route.path}`;
const hasId = (route: RouteDefinition) => route.path.includes('{id}');
/**
 * Routes of an aggregate, whose targets are created here. The operator's
 * retry acts on a dead event instead: its hostile input is tried in
 * operator-retry.test.ts, and here only its claims.
 */
const onAggregate = (route: RouteDefinition) => !route.path.startsWith('/operator/');
/** An event id no tenant has: where the claims cases send the operator's retry. */
const NO_EVENT = '0190f1e2-0000-7000-8000-00000000e7e7';
const named = (list: readonly RouteDefinition[]) =>
  list.map((route) => [keyOf(route), route] as const);

const authRoutes = routes.filter((route) => route.auth);
const postRoutes = routes.filter((route) => route.method === 'POST' && onAggregate(route));
const commandRoutes = postRoutes.filter(hasId);
const createRoutes = postRoutes.filter((route) => !hasId(route));
const listRoutes = authRoutes.filter((route) => route.method === 'GET' && !hasId(route));
const itemRoutes = routes.filter((route) => route.method === 'GET' && hasId(route));

/** A body each POST route accepts; a command missing here takes none. */
const validBodies: Record<string, Record<string, unknown>> = {
  'POST /payroll-runs': aPayrollRun,
  'POST /payroll-runs/{id}/reject': { reason: 'Gross total is missing overtime' },
  'POST /payroll-runs/{id}/cancel': { reason: 'Duplicate' },
  'POST /ewa-requests': anEwaRequest,
  'POST /ewa-requests/{id}/decline': { reason: 'Over the monthly limit' },
};
const validBody = (route: RouteDefinition) => validBodies[keyOf(route)] ?? {};
const bodyFor = (route: RouteDefinition) =>
  route.method === 'POST' ? validBody(route) : undefined;

/** Commands applied to a fresh aggregate so that the route's own command is allowed on it. */
const preparedBy: Record<string, string[]> = {
  'POST /payroll-runs/{id}/approve': ['submit'],
  'POST /payroll-runs/{id}/reject': ['submit'],
  'POST /payroll-runs/{id}/mark-paid': ['submit', 'approve'],
  'POST /ewa-requests/{id}/disburse': ['approve'],
};

const targets = new Map<string, string>();
const pathTo = (route: RouteDefinition, id = targets.get(keyOf(route)) ?? '') =>
  route.path.replace('{id}', id);

/** Fresh targets, one per {id} route; made anew after any case that wrote. */
async function prepareTargets() {
  for (const route of routes.filter(hasId)) {
    if (!onAggregate(route)) {
      targets.set(keyOf(route), NO_EVENT);
      continue;
    }
    const collection = `/${route.path.split('/')[1]}`;
    const body = validBodies[`POST ${collection}`];
    const created = await call('POST', collection, { as: preparer(0), body });
    expect(created.status, `create in ${collection}`).toBe(201);
    for (const [step, command] of (preparedBy[keyOf(route)] ?? []).entries()) {
      const commandPath = `${collection}/${created.body.id}/${command}`;
      // A different person at each step: who creates or submits may not approve.
      const prepared = await call('POST', commandPath, { as: preparer(step + 1) });
      expect(prepared.status, `${command} to prepare ${keyOf(route)}`).toBe(200);
    }
    targets.set(keyOf(route), created.body.id);
  }
}
let wrote = false;
beforeAll(prepareTargets);
afterEach(async () => {
  if (wrote) await prepareTargets();
  wrote = false;
});

const TABLES = 'payroll_runs ewa_requests audit_log outbox state_transitions idempotency_keys';

/** Row counts of every table a write touches, and the sum of versions (an UPDATE bumps one). */
async function snapshot() {
  const counts = TABLES.split(' ').map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`);
  const { rows } = await database.sql(
    `SELECT ${counts.join(', ')},
       (SELECT coalesce(sum(version), 0)::int FROM payroll_runs) AS payroll_versions,
       (SELECT coalesce(sum(version), 0)::int FROM ewa_requests) AS ewa_versions`,
  );
  return rows[0];
}

// A stack frame, "at fn (file:1:2)" or "at file:1:2", or a trace of the database.
const STACK_FRAME = /\bat (?:async )?\S+ \(|\bat \S+:\d+:\d+/;
const LEAKS = [STACK_FRAME, /node_modules/, /\bSELECT\b/, /\bINSERT\b/, /postgres/i];

/** With `exact`, the problem lists these field paths and no others. */
type Refusal = { status: number; code: string; paths?: string[] | undefined; exact?: boolean };
const refused = (status: number, code: string, paths?: string[]) => ({ status, code, paths });
const invalid = (...paths: string[]) => refused(400, 'validation_failed', paths);

/** Sends the request and expects a problem+json refusal that exposes nothing and writes nothing. */
async function expectRefused(send: () => Promise<ApiResponse>, expected: Refusal) {
  const before = await snapshot();
  const response = await send();
  const after = await snapshot();
  wrote = !isDeepStrictEqual(after, before);
  const serialized = JSON.stringify(response.body ?? null);
  const { status, body, headers } = response;
  expect({ status, code: body?.code, contentType: headers['content-type'] }, serialized).toEqual({
    status: expected.status,
    code: expected.code,
    contentType: 'application/problem+json',
  });
  for (const leak of LEAKS) expect(serialized).not.toMatch(leak);
  if (expected.paths) {
    const paths = (body.errors ?? []).map((error: { path: string }) => error.path);
    if (expected.exact) expect(paths).toEqual(expected.paths);
    else expect(paths).toEqual(expect.arrayContaining(expected.paths));
  }
  expect(after, 'rows written').toEqual(before);
}

const send = (route: RouteDefinition, options: CallOptions & { path?: string } = {}) =>
  call(route.method, options.path ?? pathTo(route), { as: mallory, ...options });

type RawRequest = { body: string; isBase64Encoded: boolean; contentType?: string | undefined };
const JSON_TYPE = 'application/json';
const plain = (body: string, type?: string) => ({
  body,
  isBase64Encoded: false,
  contentType: type,
});
const b64 = (body: string, type = JSON_TYPE) => ({
  body,
  isBase64Encoded: true,
  contentType: type,
});
const OCTETS = 'application/octet-stream';
const malformed = refused(400, 'malformed_json');
const tooLarge = refused(413, 'payload_too_large');
const unsupported = refused(415, 'unsupported_media_type');
const unauthorized = refused(401, 'unauthorized');

/** Invokes the route's handler with an event built here, for what call() cannot express. */
async function invoke(route: RouteDefinition, request: RawRequest): Promise<ApiResponse> {
  const { contentType } = request;
  const id = targets.get(keyOf(route));
  const event = toApiGatewayEvent(
    {
      method: route.method,
      path: pathTo(route),
      rawQueryString: '',
      headers: { host: 'api.example.test', ...(contentType && { 'content-type': contentType }) },
      body: Buffer.from(request.body),
      sourceIp: '127.0.0.1',
    },
    { routeKey: keyOf(route), pathParameters: hasId(route) && id ? { id } : {} },
    { tenant_id: mallory.tenant, sub: mallory.sub, scope: Object.values(SCOPES).join(' ') },
  );
  event.isBase64Encoded = request.isBase64Encoded;
  event.body = request.isBase64Encoded ? btoa(request.body) : request.body;
  const handler = await loadHandler<
    (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>
  >(route.handler);
  const result = await handler(event, lambdaContext('test'));
  const resultHeaders = Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]);
  return {
    status: result.statusCode ?? 200,
    headers: Object.fromEntries(resultHeaders),
    body: result.body ? JSON.parse(result.body) : undefined,
  };
}

/** The route's valid body as raw JSON text, with one more member spliced in first. */
const withMember = (route: RouteDefinition, member: string) => {
  const rest = JSON.stringify(validBody(route)).slice(1, -1);
  return `{${member}${rest ? `,${rest}` : ''}}`;
};
const oversized = (route: RouteDefinition) => withMember(route, `"pad":"${'x'.repeat(16384)}"`);

describe.each(named(authRoutes))('%s refuses callers without valid claims', (_, route) => {
  it.each<[string, Record<string, unknown> | null]>([
    ['no claims at all', null],
    ['claims without tenant_id', { sub: 'mallory' }],
    ['a tenant_id with spaces', { tenant_id: 'hostile input', sub: 'mallory' }],
    ['a tenant_id of 200 characters', { tenant_id: 't'.repeat(200), sub: 'mallory' }],
    ['a tenant_id carrying SQL', { tenant_id: "x' OR '1'='1' --", sub: 'mallory' }],
    ['an empty sub', { tenant_id: TENANT, sub: '' }],
    ['a sub with a NUL', { tenant_id: TENANT, sub: 'mal\u0000lory' }],
    ['a sub with a lone surrogate', { tenant_id: TENANT, sub: 'mal\ud800lory' }],
    ['a sub of spaces only', { tenant_id: TENANT, sub: '   ' }],
    ['a sub with a zero-width space', { tenant_id: TENANT, sub: 'ali\u200bce' }],
    ['a sub with a right-to-left override', { tenant_id: TENANT, sub: 'alice\u202e' }],
    [
      'a sub claiming a subscriber actor',
      { tenant_id: TENANT, sub: 'subscriber:settle-ewa-on-run-paid' },
    ],
  ])('refuses %s with 401 and writes nothing', async (_, claims) => {
    const options = claims ? { claims } : { as: null };
    await expectRefused(() => send(route, { body: bodyFor(route), ...options }), unauthorized);
  });
});

it('answers /health without a token, the one route the authorizer does not guard', async () => {
  const health = await call('GET', '/health', { as: null });
  expect(health).toMatchObject({ status: 200, body: { status: 'ok', database: 'up' } });
});

describe.each(named(postRoutes))('%s refuses a hostile body', (_, route) => {
  it.each<[string, string, Refusal]>([
    ['malformed JSON', '{"a":', malformed],
    ['a bare NaN', '{"amountMinor": NaN}', malformed],
    ['a JSON array', '[]', invalid('body')],
    ['a JSON string', '"hello"', invalid('body')],
    ['JSON null', 'null', invalid('body')],
    ['a JSON number', '42', invalid('body')],
    ['deeply nested JSON', `${'['.repeat(5000)}${']'.repeat(5000)}`, invalid('body')],
  ])('refuses %s with 400 and writes nothing', async (_, rawBody, expected) => {
    await expectRefused(() => send(route, { rawBody }), expected);
  });

  it.each([
    ['__proto__', '{"isAdmin":true}'],
    ['constructor', '{"prototype":{"isAdmin":true}}'],
    ['tenantId', '"other-tenant"'],
    ['tenant_id', '"other-tenant"'],
  ])('refuses the unknown field %s at its own path and writes nothing', async (field, value) => {
    const rawBody = withMember(route, `"${field}":${value}`);
    await expectRefused(() => send(route, { rawBody }), {
      ...invalid(`body.${field}`),
      exact: true,
    });
  });

  it('refuses a body over 16 KiB with 413 and writes nothing', async () => {
    await expectRefused(() => send(route, { rawBody: oversized(route) }), tooLarge);
  });

  const json = () => JSON.stringify(validBody(route));
  it.each<[string, () => RawRequest, Refusal]>([
    ['a text/plain body', () => plain(json(), 'text/plain'), unsupported],
    ['a body without content-type', () => plain(json()), unsupported],
    ['a base64-encoded octet-stream body', () => b64(json(), OCTETS), unsupported],
    ['base64-encoded malformed JSON', () => b64('{"a":'), malformed],
    ['a base64-encoded body over 16 KiB', () => b64(oversized(route)), tooLarge],
    ['base64 text not flagged as base64', () => plain(btoa(json()), JSON_TYPE), malformed],
  ])('refuses %s and writes nothing', async (_, request, expected) => {
    await expectRefused(() => invoke(route, request()), expected);
  });

  it.each([
    ['300 characters', 'k'.repeat(300)],
    ['spaces', 'my key'],
    ['a control character', 'key\u0001'],
    ['a tab', 'key\tkey'],
    ['non-ASCII characters', 'ключ'],
    ['nothing in it', ''],
  ])('refuses an Idempotency-Key with %s as invalid_header', async (_, key) => {
    const headers = { 'Idempotency-Key': key };
    const expected = refused(400, 'invalid_header', ['headers.idempotency-key']);
    await expectRefused(() => send(route, { body: validBody(route), headers }), expected);
  });
});

describe.each(named(commandRoutes))('%s refuses a malformed If-Match', (_, route) => {
  it.each(['abc', '-1', '1.5', '99999999999', '"0"', '"1", "2"'])(
    'refuses If-Match %s as invalid_header and writes nothing',
    async (ifMatch) => {
      const headers = { 'If-Match': ifMatch };
      const expected = refused(400, 'invalid_header', ['headers.if-match']);
      await expectRefused(() => send(route, { body: validBody(route), headers }), expected);
    },
  );
});

/** [case, fields replacing the valid body's, the field whose path the problem must list] */
const fieldCases: Record<string, [string, Record<string, unknown>, string][]> = {
  'POST /ewa-requests': [
    ['an employeeId with a NUL', { employeeId: 'emp\u00001' }, 'employeeId'],
    ['an employeeId with an escape sequence', { employeeId: 'emp\u001b[31m' }, 'employeeId'],
    ['an employeeId with a DEL', { employeeId: 'emp\u007f' }, 'employeeId'],
    ['an employeeId of 10000 characters', { employeeId: 'e'.repeat(10_000) }, 'employeeId'],
    ['a negative amount', { amountMinor: -1 }, 'amountMinor'],
    ['a zero amount', { amountMinor: 0 }, 'amountMinor'],
    ['a fractional amount', { amountMinor: 1.5 }, 'amountMinor'],
    ['an amount beyond 2^53', { amountMinor: 2 ** 53 + 2 }, 'amountMinor'],
    ['an amount of 1e308', { amountMinor: 1e308 }, 'amountMinor'],
    ['an amount of "NaN"', { amountMinor: 'NaN' }, 'amountMinor'],
    ['February 30th', { periodStart: '2026-02-30' }, 'periodStart'],
    ['a 13th month', { periodEnd: '2026-13-01' }, 'periodEnd'],
    ['a date without zero padding', { periodStart: '2026-11-1' }, 'periodStart'],
    ['a timestamp for a date', { periodStart: '2026-11-01T00:00:00Z' }, 'periodStart'],
    ['the year 0000', { periodStart: '0000-01-01' }, 'periodStart'],
    ['periodEnd before periodStart', { periodEnd: '2026-10-31' }, 'periodEnd'],
    ['a lower-case currency', { currency: 'eur' }, 'currency'],
    ['XXX (Intl does not list it)', { currency: 'XXX' }, 'currency'],
    ['an unknown currency', { currency: 'ABC' }, 'currency'],
  ],
  'POST /payroll-runs': [
    ['a negative gross total', { grossTotalMinor: -1 }, 'grossTotalMinor'],
    ['a gross total of 1e308', { grossTotalMinor: 1e308 }, 'grossTotalMinor'],
    ['a gross total beyond 2^53', { grossTotalMinor: 2 ** 53 + 2 }, 'grossTotalMinor'],
    ['a fractional employee count', { employeeCount: 1.5 }, 'employeeCount'],
    ['no employees', { employeeCount: 0 }, 'employeeCount'],
    ['February 30th', { payDate: '2026-02-30' }, 'payDate'],
    ['the year 0000', { periodStart: '0000-01-01' }, 'periodStart'],
    ['periodEnd before periodStart', { periodEnd: '2026-10-01' }, 'periodEnd'],
    ['payDate before periodStart', { payDate: '2026-10-01' }, 'payDate'],
    ['a lower-case currency', { currency: 'eur' }, 'currency'],
  ],
};

describe.each(named(createRoutes))('%s refuses invalid fields', (name, route) => {
  const fields = Object.keys(validBody(route));
  const everyField = invalid(...fields.map((field) => `body.${field}`));

  it('refuses an empty object, listing every required field', async () => {
    await expectRefused(() => send(route, { body: {} }), everyField);
  });

  it('refuses every field with the wrong type, listing each path', async () => {
    const body = Object.fromEntries(
      fields.map((field) => [field, typeof validBody(route)[field] === 'number' ? '1' : 1]),
    );
    await expectRefused(() => send(route, { body }), everyField);
  });

  it('has field cases of its own', () => expect(fieldCases[name]?.length).toBeGreaterThan(0));

  it.each(fieldCases[name] ?? [])('refuses %s at its field path', async (_, fields, field) => {
    const body = { ...validBody(route), ...fields };
    await expectRefused(() => send(route, { body }), invalid(`body.${field}`));
  });
});

const reasonRoutes = commandRoutes.filter((route) => 'reason' in validBody(route));
describe.each(named(reasonRoutes))('%s refuses an invalid reason', (_, route) => {
  it.each<[string, unknown]>([
    ['a NUL', 'Duplicate\u0000'],
    ['a bell', 'Duplicate\u0007'],
    ['an escape sequence', '\u001b[2JDuplicate'],
    ['a DEL', 'Dup\u007flicate'],
    ['a C1 control character (CSI)', 'Dup\u009b2Jlicate'],
    ['a lone surrogate', 'Dup\ud800licate'],
    ['only spaces', '   '],
    ['501 characters', 'r'.repeat(501)],
    ['10000 characters', 'r'.repeat(10_000)],
    ['a number', 42],
  ])('refuses a reason with %s at body.reason', async (_, reason) => {
    await expectRefused(() => send(route, { body: { reason } }), invalid('body.reason'));
  });
});

describe.each(named(routes.filter((route) => hasId(route) && onAggregate(route))))(
  '%s answers 404 to a hostile id',
  (_, route) => {
    it.each<[string, () => string]>([
      ['not a UUID', () => 'not-a-uuid'],
      ['SQL', () => encodeURIComponent("' OR 1=1 --")],
      ['2 KB long', () => 'a'.repeat(2048)],
      ['broken percent-encoding', () => '%E0%A4%A'],
      ['an encoded NUL', () => '%00'],
      ['an encoded path traversal', () => '..%2F..%2Fetc%2Fpasswd'],
      ['an existing id with an encoded newline', () => `${targets.get(keyOf(route))}%0A`],
      ['a UUID that does not exist', () => '0190f1e2-0000-7000-8000-000000000000'],
    ])('refuses an id that is %s with 404 and writes nothing', async (_, id) => {
      const options = { path: pathTo(route, id()), body: bodyFor(route) };
      await expectRefused(() => send(route, options), refused(404, 'not_found'));
    });
  },
);

const badLimits = ['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'limit=10&limit=20'];
const badStatuses = ['status=NOPE', 'status='];
const badCursors = ['garbage', btoa("' OR 1=1 --"), 'c'.repeat(300)].map((c) => `cursor=${c}`);
const unknownParameters = ['foo=1', 'tenant_id=other-tenant', 'constructor=1', '__proto__=1'];

describe.each(named(listRoutes))('%s refuses an invalid query', (_, route) => {
  it.each([...badLimits, ...badStatuses, ...badCursors, ...unknownParameters])(
    'refuses ?%s with 400 at its query path',
    async (query) => {
      const field = query.split('=')[0];
      await expectRefused(() => send(route, { query }), invalid(`query.${field}`));
    },
  );
});

describe.each(named(itemRoutes))('%s takes no query parameters', (_, route) => {
  it.each(['foo', 'limit', 'tenant_id'])('refuses ?%s=1 with 400 at its path', async (field) => {
    await expectRefused(() => send(route, { query: `${field}=1` }), invalid(`query.${field}`));
  });
});

// Last: the targets were in a state that takes the command, so the refusals came from the input.
describe.each(named(commandRoutes))('%s after every refusal', (_, route) => {
  it('still applies a valid command to its untouched target', async () => {
    const applied = await send(route, { body: validBody(route) });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  });
});
