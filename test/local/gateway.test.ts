import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { routes } from '@auditflow/functions';
import {
  createVerifier,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  loadOrCreateKey,
  signDevToken,
  startGateway,
  toApiGatewayEvent,
} from '@auditflow/local';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas';
import { generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aPayrollRun } from '../support/api';
import { useTestDatabase } from '../support/database';

useTestDatabase();

const ROOT = path.resolve(import.meta.dirname, '../..');
let dataDir: string;
let key: Awaited<ReturnType<typeof loadOrCreateKey>>;
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-gateway-'));
  key = await loadOrCreateKey(dataDir);
  gateway = await startGateway({ routes, verify: createVerifier(key), root: ROOT, port: 0 });
});
afterAll(async () => {
  await gateway.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const post = (pathname: string, token: string | null, body: unknown) =>
  fetch(`${gateway.url}${pathname}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });

/** A token like the development ones, with claims or header fields changed (undefined removes one). */
async function signed(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
  privateKey?: Parameters<SignJWT['sign']>[0],
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = Object.fromEntries(
    Object.entries({
      tenant_id: 't',
      sub: 'a',
      scope: 'payroll:prepare',
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      iat: now,
      exp: now + 3600,
      ...claims,
    }).filter(([, value]) => value !== undefined),
  );
  const protectedHeader = Object.fromEntries(
    Object.entries({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header }).filter(
      ([, value]) => value !== undefined,
    ),
  ) as { alg: string };
  return new SignJWT(payload)
    .setProtectedHeader(protectedHeader)
    .sign(privateKey ?? (await importJWK(key.privateJwk, 'RS256')));
}

describe('the local gateway', () => {
  it('serves /health without a token', async () => {
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'up' });
  });

  it("refuses, as API Gateway does, a valid token without any of the route's scopes, before reading the body", async () => {
    const reader = await signDevToken(key, {
      tenant: 'gateway-a',
      sub: 'alice',
      scopes: ['payroll:read'],
    });
    const refused = await fetch(`${gateway.url}/payroll-runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
      body: 'x'.repeat(11 * 1024 * 1024),
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: 'Forbidden' });
    const listed = await fetch(`${gateway.url}/payroll-runs`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(listed.status).toBe(200);
  });

  it('passes verified claims to the handler: the actor and tenant come from the token', async () => {
    const token = await signDevToken(key, { tenant: 'gateway-a', sub: 'alice' });
    const created = await post('/payroll-runs', token, aPayrollRun);
    expect(created.status).toBe(201);
    const run = (await created.json()) as { id: string; createdBy: string };
    expect(run.createdBy).toBe('alice');
    expect(created.headers.get('location')).toBe(`/payroll-runs/${run.id}`);

    const otherTenant = await signDevToken(key, { tenant: 'gateway-b', sub: 'alice' });
    const hidden = await fetch(`${gateway.url}/payroll-runs/${run.id}`, {
      headers: { authorization: `Bearer ${otherTenant}` },
    });
    expect(hidden.status).toBe(404);
  });

  it.each([
    ['no token', async () => null],
    ['a malformed token', async () => 'not.a.token'],
    [
      'an expired token',
      async () => signDevToken(key, { tenant: 't', sub: 'a', expiresIn: '-1m' }),
    ],
    [
      'a token signed by another key under the same key id',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return signed({}, { kid: key.kid }, privateKey);
      },
    ],
    ['a token for another audience', async () => signed({ aud: 'someone-else' })],
    ['a token without a key id', async () => signed({}, { kid: undefined })],
    ['a token naming another key id', async () => signed({}, { kid: 'another-key' })],
    ['a token without exp', async () => signed({ exp: undefined })],
    [
      'a token issued in the future',
      async () => signed({ iat: Math.floor(Date.now() / 1000) + 600 }),
    ],
    ['a token not valid yet', async () => signed({ nbf: Math.floor(Date.now() / 1000) + 600 })],
    [
      'an ES256 token (HTTP APIs verify RSA signatures only)',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return signed({}, { alg: 'ES256', kid: key.kid }, privateKey);
      },
    ],
    [
      'a token whose signature is not base64url',
      async () => `${(await signed({})).replace(/\.[^.]+$/, '')}.ab+c/d==`,
    ],
    [
      'an unsigned token (alg none)',
      async () =>
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
          JSON.stringify({ tenant_id: 't', sub: 'a', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE }),
        ).toString('base64url')}.`,
    ],
  ])('refuses %s with 401 as API Gateway does, and writes nothing', async (_label, makeToken) => {
    const response = await post('/payroll-runs', await makeToken(), aPayrollRun);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });

  it('accepts the token with or without the Bearer prefix, as API Gateway does', async () => {
    const token = await signDevToken(key, { tenant: 'gateway-a', sub: 'alice' });
    for (const authorization of [`Bearer ${token}`, token]) {
      const response = await fetch(`${gateway.url}/payroll-runs`, { headers: { authorization } });
      expect(response.status, authorization.slice(0, 7)).toBe(200);
    }
  });

  it('answers 404 for an unknown path and for a known path with another method, as AWS does', async () => {
    expect((await fetch(`${gateway.url}/nope`)).status).toBe(404);
    expect((await fetch(`${gateway.url}/health`, { method: 'DELETE' })).status).toBe(404);
  });

  it('builds events that match the API Gateway v2 schema', () => {
    const event = toApiGatewayEvent(
      {
        method: 'POST',
        path: '/payroll-runs/abc/reject',
        rawQueryString: 'a=1&a=2',
        headers: { 'content-type': 'application/json', host: 'localhost' },
        body: Buffer.from('{"reason":"x"}'),
        sourceIp: '127.0.0.1',
      },
      { routeKey: 'POST /payroll-runs/{id}/reject', pathParameters: { id: 'abc' } },
      { tenant_id: 'acme', sub: 'alice', iat: 1 },
    );
    expect(APIGatewayProxyEventV2Schema.safeParse(event).success).toBe(true);
    expect(event.queryStringParameters).toEqual({ a: '1,2' });
    expect(event.requestContext.authorizer.jwt.claims).toEqual({
      tenant_id: 'acme',
      sub: 'alice',
      iat: '1',
    });
  });

  it('accepts the token that `npm run token` prints on its last line', async () => {
    const result = spawnSync(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['packages/local/src/bin/token.ts', '--tenant', 'gateway-c', '--sub', 'carol'],
      { cwd: ROOT, env: { ...process.env, AUDITFLOW_DATA_DIR: dataDir }, encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    const token = result.stdout.trim().split('\n').at(-1) ?? '';
    const response = await fetch(`${gateway.url}/payroll-runs`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
  });
});
