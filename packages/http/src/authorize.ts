import { AppError } from '@auditflow/core';
import { type ApiEvent, verifiedPrincipal } from './request';

/**
 * The scopes the token carries, read as API Gateway reads them: the `scope`
 * claim (space-separated, OAuth 2.0) or `scp` (a list, which the authorizer
 * passes on as `[a b]`), or the list the authorizer itself put in the event.
 */
export function grantedScopes(event: ApiEvent): Set<string> {
  const jwt = event.requestContext.authorizer?.jwt;
  const granted = new Set<string>(Array.isArray(jwt?.scopes) ? jwt.scopes : []);
  for (const claim of [jwt?.claims?.scope, jwt?.claims?.scp]) {
    if (typeof claim !== 'string') continue;
    for (const scope of claim.replace(/^\[|\]$/g, '').split(/[\s,]+/)) {
      if (scope !== '') granted.add(scope);
    }
  }
  return granted;
}

/**
 * The verified principal, once the token is shown to carry at least one of
 * `scopes` (API Gateway checks the same in AWS; this holds if a route is ever
 * deployed without it). Throws `unauthorized` for missing or malformed
 * claims, then `forbidden`.
 */
export function authorizedPrincipal(
  event: ApiEvent,
  scopes: readonly string[],
): { tenantId: string; actor: string } {
  const principal = verifiedPrincipal(event);
  const granted = grantedScopes(event);
  if (!scopes.some((scope) => granted.has(scope))) {
    throw new AppError(
      'forbidden',
      `This needs a token with one of the scopes ${scopes.join(', ')}.`,
    );
  }
  return principal;
}
