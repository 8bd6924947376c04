import type http from 'node:http';
import {
  bundleConsole,
  CONSOLE_RESPONSE_HEADERS,
  type ConsoleConfig,
  type ConsoleFile,
  sourcesChangedAt,
} from '@auditflow/console';
import { SCOPES } from '@auditflow/functions';

export const CONSOLE_PATH = '/console/';

const JSON_TYPE = 'application/json';

/** Tenant and operator names as the API accepts them in a token. */
const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SUB = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export interface ConsoleServerOptions {
  /** Signs a token for an operator: the local stack's development key. */
  mintToken: (claims: { tenant: string; sub: string; scopes: string[] }) => Promise<string>;
}

/**
 * Serves the console under /console/ beside the API, as a static site would:
 * the bundled page with its config inline saying the API is on this origin,
 * and (the local stack only, which already holds the development key) POST
 * /console/dev-token minting an operator's token. Returns false for any
 * other path, for the gateway's routes to answer.
 *
 * The bundle is kept in memory and built again when a source file changed,
 * so a reload while developing shows the current files.
 */
export function consoleServer(options: ConsoleServerOptions) {
  const config: ConsoleConfig = { apiUrl: '', devTokens: true };
  let built: { at: number; files: Promise<Record<string, ConsoleFile>> } | undefined;
  const files = async () => {
    const at = await sourcesChangedAt();
    if (!built || built.at !== at) built = { at, files: bundleConsole(config) };
    return built.files;
  };
  return async (req: http.IncomingMessage, res: http.ServerResponse, pathname: string) => {
    if (pathname === '/console') return redirect(res, CONSOLE_PATH);
    if (!pathname.startsWith(CONSOLE_PATH)) return false;
    const name = pathname.slice(CONSOLE_PATH.length) || 'index.html';
    if (name === 'dev-token' && req.method === 'POST') return mint(req, res, options);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', '');
    // Only the bundle's own names: a path of the sources, or with `..`, finds nothing.
    const bundle = await files();
    const file = Object.hasOwn(bundle, name) ? bundle[name] : undefined;
    if (!file) return send(res, 404, 'text/plain', 'Not Found');
    // As the deployed site's CDN sends them (packages/console/headers.ts).
    for (const [name, value] of Object.entries(CONSOLE_RESPONSE_HEADERS))
      res.setHeader(name, value);
    return send(res, 200, file.type, file.body);
  };
}

async function mint(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  options: ConsoleServerOptions,
): Promise<true> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body: { tenant?: unknown; sub?: unknown; platform?: unknown } = {};
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {}
  const { tenant, sub } = body;
  if (
    typeof tenant !== 'string' ||
    !TENANT.test(tenant) ||
    typeof sub !== 'string' ||
    !SUB.test(sub)
  ) {
    return send(res, 400, JSON_TYPE, JSON.stringify({ detail: 'tenant and sub are required' }));
  }
  const scopes = body.platform === true ? [SCOPES.operator, SCOPES.platform] : [SCOPES.operator];
  const token = await options.mintToken({ tenant, sub, scopes });
  return send(res, 200, JSON_TYPE, JSON.stringify({ token }));
}

function redirect(res: http.ServerResponse, location: string): true {
  res.statusCode = 308;
  res.setHeader('location', location);
  res.end();
  return true;
}

function send(
  res: http.ServerResponse,
  status: number,
  type: string | undefined,
  body: string | Buffer,
): true {
  res.statusCode = status;
  res.setHeader('content-type', type ?? 'application/octet-stream');
  // The files change while developing; a reload must show the current ones.
  res.setHeader('cache-control', 'no-cache');
  res.end(body);
  return true;
}
