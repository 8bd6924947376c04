import fs from 'node:fs/promises';
import path from 'node:path';
import { BUSINESS_SCOPES } from '@auditflow/functions';
import {
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
const ALGORITHM = 'ES256';

interface StoredKey {
  privateJwk: JWK;
  publicJwk: JWK;
}

/**
 * The local signing key, created on first use and kept in the data directory
 * so tokens survive restarts. Development only: it never leaves the machine.
 */
export async function loadOrCreateKey(dataDir: string): Promise<StoredKey> {
  const file = path.join(dataDir, 'local-jwt-key.json');
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as StoredKey;
  } catch {
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    const stored = {
      privateJwk: await exportJWK(privateKey),
      publicJwk: await exportJWK(publicKey),
    };
    await fs.mkdir(dataDir, { recursive: true });
    // wx: if another process created it meanwhile, keep theirs.
    await fs.writeFile(file, JSON.stringify(stored), { flag: 'wx', mode: 0o600 }).catch(() => {});
    return JSON.parse(await fs.readFile(file, 'utf8')) as StoredKey;
  }
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
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h')
    .sign(await importJWK(key.privateJwk, ALGORITHM));
}

/**
 * Verifies a bearer token the way API Gateway's JWT authorizer does:
 * signature, issuer, audience, expiry. Returns the claims, or null when the
 * token is missing or invalid.
 */
export function createVerifier(key: StoredKey) {
  const publicKey = importJWK(key.publicJwk, ALGORITHM);
  return async (authorization: string | undefined): Promise<JWTPayload | null> => {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, await publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: [ALGORITHM],
      });
      return payload;
    } catch {
      return null;
    }
  };
}
