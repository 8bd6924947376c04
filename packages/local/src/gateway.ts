import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadHandler } from '@auditflow/functions';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { JWTPayload } from 'jose';
import { toApiGatewayEvent } from './api-event';
import { lambdaContext } from './lambda-context';
import { matchRoute } from './route-match';
import { tokenScopes } from './token-scopes';

export interface GatewayRoute {
  method: string;
  path: string;
  /** `functions/api/health.handler`: module path from the repository root, then the export. */
  handler: string;
  auth: boolean;
  /** Scopes of which a token must carry one; none required when empty. */
  scopes: readonly string[];
}

export interface GatewayOptions {
  routes: readonly GatewayRoute[];
  verify: (authorization: string | undefined) => Promise<JWTPayload | null>;
  /** Repository root, against which handler paths resolve. */
  root: string;
  port: number;
  host?: string;
  /** Answers requests outside the API (the console's files); returns false to pass them on. */
  serveOther?: (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    pathname: string,
  ) => Promise<boolean>;
}

/** API Gateway's own limit on a request body. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

type LambdaHandler = (event: unknown, context: unknown) => Promise<APIGatewayProxyResultV2>;

/**
 * A local stand-in for API Gateway (HTTP API): matches the route, verifies
 * the bearer token like the JWT authorizer (401 `{"message":"Unauthorized"}`,
 * as AWS answers), builds the payload 2.0 event and calls the same handler
 * module that deploys.
 */
export async function startGateway(
  options: GatewayOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const handlers = new Map<string, Promise<LambdaHandler>>();
  const load = (handler: string) => {
    let loaded = handlers.get(handler);
    if (!loaded) {
      loaded = loadHandler<LambdaHandler>(handler, options.root);
      handlers.set(handler, loaded);
    }
    return loaded;
  };

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      if (options.serveOther && (await options.serveOther(req, res, url.pathname))) return;
      const match = matchRoute(options.routes, method, url.pathname);
      // API Gateway (HTTP API) answers 404 for any unmatched method and path.
      if (!match) return send(res, 404, { message: 'Not Found' });
      // The authorizer runs before anything reads the body: an unauthenticated
      // client learns nothing from what it sends.
      let claims: JWTPayload | undefined;
      if (match.route.auth) {
        const verified = await options.verify(req.headers.authorization);
        if (!verified) {
          res.setHeader('www-authenticate', 'Bearer');
          return send(res, 401, { message: 'Unauthorized' });
        }
        const granted = tokenScopes(verified);
        const { scopes } = match.route;
        if (scopes.length > 0 && !scopes.some((scope) => granted.includes(scope))) {
          return send(res, 403, { message: 'Forbidden' });
        }
        claims = verified;
      }
      const body = await readBody(req);
      if (body === 'too-large') return send(res, 413, { message: 'Request Entity Too Large' });
      const event = toApiGatewayEvent(
        {
          method,
          path: url.pathname,
          rawQueryString: url.search.replace(/^\?/, ''),
          headers: lowerCaseHeaders(req.headers),
          body,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        },
        {
          routeKey: `${match.route.method} ${match.route.path}`,
          pathParameters: match.pathParameters,
        },
        claims,
      );
      const handler = await load(match.route.handler);
      const result = await handler(event, lambdaContext(match.route.handler));
      writeResult(res, result);
    } catch (error) {
      // What API Gateway answers when the integration fails.
      console.error('[gateway] handler failed', error);
      send(res, 500, { message: 'Internal Server Error' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return size === 0 ? undefined : Buffer.concat(chunks);
}

function lowerCaseHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return result;
}

function writeResult(res: http.ServerResponse, result: APIGatewayProxyResultV2): void {
  if (typeof result === 'string' || !('statusCode' in result)) {
    send(res, 200, result);
    return;
  }
  res.statusCode = result.statusCode ?? 200;
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    res.setHeader(name, String(value));
  }
  const body = result.body ?? '';
  res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}
