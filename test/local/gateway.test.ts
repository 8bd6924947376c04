import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
import { routes } from '../../functions/api/routes';
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

describe('the local gateway', () => {
  it('serves /health without a token', async () => {
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'up' });
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
      'a token signed by another key',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return new SignJWT({ tenant_id: 't' })
          .setProtectedHeader({ alg: 'ES256' })
          .setSubject('a')
          .setIssuer(LOCAL_ISSUER)
          .setAudience(LOCAL_AUDIENCE)
          .setExpirationTime('1h')
          .sign(privateKey);
      },
    ],
    [
      'a token for another audience',
      async () =>
        new SignJWT({ tenant_id: 't' })
          .setProtectedHeader({ alg: 'ES256' })
          .setSubject('a')
          .setIssuer(LOCAL_ISSUER)
          .setAudience('someone-else')
          .setExpirationTime('1h')
          .sign(await importJWK(key.privateJwk, 'ES256')),
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
