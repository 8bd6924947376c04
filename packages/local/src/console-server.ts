import fs from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { CONSOLE_ASSETS, type ConsoleConfig } from '@auditflow/console';
import { SCOPES } from '@auditflow/functions';

export const CONSOLE_PATH = '/console/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** Tenant and operator names as the API accepts them in a token. */
const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SUB = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export interface ConsoleServerOptions {
  /** Signs a token for an operator: the local stack's development key. */
  mintToken: (claims: { tenant: string; sub: string; scopes: string[] }) => Promise<string>;
}

/**
 * Serves the console under /console/ beside the API, as a static site would:
 * its files, a config.json saying the API is on this origin, and (the local
 * stack only, which already holds the development key) POST
 * /console/dev-token minting an operator's token. Returns false for any
 * other path, for the gateway's routes to answer.
 */
export function consoleServer(options: ConsoleServerOptions) {
  const config: ConsoleConfig = { apiUrl: '', devTokens: true };
  return async (req: http.IncomingMessage, res: http.ServerResponse, pathname: string) => {
    if (pathname === '/console') return redirect(res, CONSOLE_PATH);
    if (!pathname.startsWith(CONSOLE_PATH)) return false;
    const name = pathname.slice(CONSOLE_PATH.length) || 'index.html';
    if (name === 'dev-token' && req.method === 'POST') return mint(req, res, options);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', '');
    if (name === 'config.json') return send(res, 200, TYPES['.json'], JSON.stringify(config));
    // Only files inside the console's folder: a `..` in the path finds nothing.
    const file = path.resolve(CONSOLE_ASSETS, name);
    const type = TYPES[path.extname(file)];
    if (!file.startsWith(`${CONSOLE_ASSETS}${path.sep}`) || !type) {
      return send(res, 404, 'text/plain', 'Not Found');
    }
    const content = await fs.readFile(file).catch(() => null);
    if (!content) return send(res, 404, 'text/plain', 'Not Found');
    return send(res, 200, type, content);
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
    return send(
      res,
      400,
      TYPES['.json'],
      JSON.stringify({ detail: 'tenant and sub are required' }),
    );
  }
  const scopes = body.platform === true ? [SCOPES.operator, SCOPES.platform] : [SCOPES.operator];
  const token = await options.mintToken({ tenant, sub, scopes });
  return send(res, 200, TYPES['.json'], JSON.stringify({ token }));
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
