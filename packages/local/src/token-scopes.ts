import type { JwtClaims } from './api-event';

/**
 * The scopes a verified token carries, as API Gateway's JWT authorizer reads
 * them: the `scope` claim (space-separated) or `scp` (a list or a string).
 */
export function tokenScopes(claims: JwtClaims): string[] {
  const scopes: string[] = [];
  for (const claim of [claims.scope, claims.scp]) {
    if (typeof claim === 'string') scopes.push(...claim.split(' ').filter((s) => s !== ''));
    else if (Array.isArray(claim)) scopes.push(...claim.filter((s) => typeof s === 'string'));
  }
  return [...new Set(scopes)];
}
