import fs from 'node:fs/promises';
import path from 'node:path';
import { BUSINESS_SCOPES } from '@auditflow/functions';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';

/** What API Gateway's JWT authorizer is configured with in AWS, mirrored locally. */
export const LOCAL_ISSUER = 'https://auditflow.local/';
export const LOCAL_AUDIENCE = 'auditflow-api';
/**
 * HTTP APIs' JWT authorizers verify RSA signatures only, so the development
 * key is RSA too: a token the local gateway accepts is one AWS would.
 */
const ALGORITHM = 'RS256';
const ACCEPTED_ALGORITHMS = ['RS256', 'RS384', 'RS512'];

interface StoredKey {
  /** Key id: tokens name it in their header, as an issuer's JWKS requires. */
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/**
 * The local signing key, created on first use and kept in the data directory
 * so tokens survive restarts. Development only: it never leaves the machine.
 * A key of an older kind (not RSA, or without a key id) is replaced.
 */
export async function loadOrCreateKey(dataDir: string): Promise<StoredKey> {
  const file = path.join(dataDir, 'local-jwt-key.json');
  const read = async () => JSON.parse(await fs.readFile(file, 'utf8')) as StoredKey;
  const current = await read().catch(() => undefined);
  if (current?.kid && current.publicJwk.kty === 'RSA') return current;
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const stored: StoredKey = {
    kid: await calculateJwkThumbprint(publicJwk),
    privateJwk: await exportJWK(privateKey),
    publicJwk,
  };
  await fs.mkdir(dataDir, { recursive: true });
  if (current) await fs.rm(file, { force: true });
  // wx: if another process created it meanwhile, keep theirs.
  await fs.writeFile(file, JSON.stringify(stored), { flag: 'wx', mode: 0o600 }).catch(() => {});
  return read();
}

/**
 * Signs a development token with the claims the API reads: `tenant_id`, `sub`
 * and `scope` (space-separated; every business scope unless given).
 */
export async function signDevToken(
  key: StoredKey,
  claims: { tenant: string; sub: string; scopes?: readonly string[]; expiresIn?: string },
): Promise<string> {
  return new SignJWT({
    tenant_id: claims.tenant,
    scope: (claims.scopes ?? BUSINESS_SCOPES).join(' '),
  })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: key.kid })
    .setSubject(claims.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h')
    .sign(await importJWK(key.privateJwk, ALGORITHM));
}

/** `<base64url>.<base64url>.<base64url>`, optionally after `Bearer `, as API Gateway takes it. */
const TOKEN = /^(?:Bearer )?([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * Verifies a token the way API Gateway's JWT authorizer (HTTP API) does: the
 * header value is the token, or `Bearer ` and the token; an RSA signature by
 * the key its `kid` names; issuer and audience; `exp` present and after now;
 * `nbf` and `iat`, if present, not after now. Returns the claims, or null
 * when the token is missing or fails any check.
 */
export function createVerifier(key: StoredKey) {
  const publicKey = importJWK(key.publicJwk, ALGORITHM);
  return async (authorization: string | undefined): Promise<JWTPayload | null> => {
    const token = TOKEN.exec(authorization ?? '')?.[1];
    if (!token) return null;
    try {
      if (decodeProtectedHeader(token).kid !== key.kid) return null;
      const { payload } = await jwtVerify(token, await publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: ACCEPTED_ALGORITHMS,
        requiredClaims: ['exp'],
      });
      if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000) return null;
      return payload;
    } catch {
      return null;
    }
  };
}
