/**
 * The console's only way to the API: the operator routes, with the token
 * the operator gave, and `?tenant=` when a platform operator picked one.
 */
const TOKEN_KEY = 'auditflow.console.token';
let config = { apiUrl: '', devTokens: false };
let tenant = '';

/** Where the API is and whether this server mints development tokens (inline in the page). */
export function loadConfig() {
  const inline = document.getElementById('console-config')?.textContent;
  if (inline) config = { ...config, ...JSON.parse(inline) };
  return config;
}

// Session storage: the token lives as long as the tab, never on disk across sessions.
export const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';
export const setToken = (value) => sessionStorage.setItem(TOKEN_KEY, value.trim());
export const setTenant = (value) => {
  tenant = value.trim();
};

/** The token's claims, for showing who is signed in; the API verifies it, the page does not. */
export function claims() {
  try {
    const payload = token().split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const parsed = JSON.parse(json);
    const scopes = String(parsed.scope ?? '')
      .split(' ')
      .filter(Boolean);
    return { tenant: parsed.tenant_id, sub: parsed.sub, scopes };
  } catch {
    return null;
  }
}

/** A failed call, with the problem document's detail and field errors when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    const fields = (problem?.errors ?? []).map((e) => `${e.path} ${e.message}`).join('; ');
    super(
      `${status} ${problem?.detail ?? problem?.message ?? 'request failed'}${fields ? `: ${fields}` : ''}`,
    );
    this.status = status;
    this.problem = problem;
  }
}

/** Calls an operator route; resolves to its JSON body, rejects with ApiError. */
export async function api(path, { method = 'GET', body, query = {} } = {}) {
  const url = new URL(`${config.apiUrl || location.origin}${path}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  // A call that names its tenant (an export of one entity) keeps it; the others get the picked one.
  if (tenant && !Object.hasOwn(query, 'tenant')) url.searchParams.set('tenant', tenant);
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token()}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

/** Local stack only: a token for an operator of `tenant`, signed with the stack's development key. */
export async function mintDevToken({ tenant: forTenant, sub, platform }) {
  const response = await fetch(new URL('./dev-token', import.meta.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: forTenant, sub, platform }),
  });
  const json = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, json);
  return json.token;
}
