/**
 * Runs sst.config.ts against recording stand-ins for SST's globals: deploying needs AWS, but
 * what the config asks SST to build (routes, links, VPC placement, the migration hook, the
 * outbox relay, the bus subscribers and their dead-letter queues) is plain data that can be checked here. Handler files are checked by reading
 * their source, because importing a handler needs a database.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONSOLE_RESPONSE_HEADERS } from '@auditflow/console';
import {
  parseHandler,
  type RouteDefinition,
  routes,
  type Subscription,
  subscriptions,
} from '@auditflow/functions';
import { RELAY_DEFAULTS } from '@auditflow/relay';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

type Args = Record<string, unknown>;

/** Stands for a Pulumi output; compared by identity to prove which value was wired where. */
class Token {
  constructor(readonly label: string) {}
  apply<T>(fn: (value: string) => T): T {
    return fn(this.toString());
  }
  toString(): string {
    return `\${${this.label}}`;
  }
}

interface Created {
  kind: string;
  name: string;
  args: Args;
  instance: Record<string, unknown>;
}

interface RouteCall {
  api: Created;
  route: string;
  handler: unknown;
  args: Args;
}

interface AuthorizerCall {
  args: Args;
  id: Token;
}

interface SubscribeCall {
  bus: Created;
  name: string;
  subscriber: unknown;
  args: Args;
  /** The EventBridge rule SST creates for the subscription. */
  rule: { arn: Token };
}

/** What `$jsonStringify` was given, kept as data so the document can be inspected. */
class Json {
  constructor(readonly value: unknown) {}
}

interface SstConfig {
  app(input: { stage: string }): Args | Promise<Args>;
  run(): Promise<unknown>;
}

function isRecord(value: unknown): value is Args {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, what: string): Args {
  if (!isRecord(value)) throw new Error(`${what} is not an object: ${String(value)}`);
  return value;
}

/**
 * A namespace whose unknown members fail loudly, so a config that starts using a component
 * this file has no stand-in for says which one is missing.
 */
function namespace<T extends object>(path: string, members: T): T {
  return new Proxy(members, {
    get(target, key, receiver) {
      if (typeof key === 'symbol' || key in target) return Reflect.get(target, key, receiver);
      throw new Error(`${path}.${key} has no stand-in in test/infra/sst-config.test.ts`);
    },
  });
}

function standIns(stage: string) {
  const created: Created[] = [];
  const routeCalls: RouteCall[] = [];
  const authorizers: AuthorizerCall[] = [];
  const subscribeCalls: SubscribeCall[] = [];

  const resource = (kind: string, outputs: readonly string[]) =>
    class {
      [key: string]: unknown;
      constructor(name: string, args: Args = {}) {
        for (const output of outputs) this[output] = new Token(`${name}.${output}`);
        created.push({ kind, name, args, instance: this });
      }
    };

  const ApiBase = resource('sst.aws.ApiGatewayV2', ['id', 'url']);
  class ApiGatewayV2 extends ApiBase {
    route(route: string, handler: unknown, args: Args = {}) {
      const api = created.find((c) => c.instance === this);
      if (!api) throw new Error('route() called on an API that was never constructed');
      routeCalls.push({ api, route, handler, args });
      return { route };
    }
    addAuthorizer(args: Args) {
      const authorizer = { args, id: new Token(`Authorizer${String(args.name)}.id`) };
      authorizers.push(authorizer);
      return { id: authorizer.id };
    }
  }

  const BusBase = resource('sst.aws.Bus', ['name', 'arn']);
  class Bus extends BusBase {
    /** Returns what SST's Output<BusLambdaSubscriber> gives through `apply`. */
    subscribe(name: string, subscriber: unknown, args: Args = {}) {
      const bus = created.find((c) => c.instance === this);
      if (!bus) throw new Error('subscribe() called on a bus that was never constructed');
      const rule = { arn: new Token(`${bus.name}Subscriber${name}Rule.arn`) };
      subscribeCalls.push({ bus, name, subscriber, args, rule });
      const nodes = {
        rule,
        function: { name: new Token(`${bus.name}Subscriber${name}Function.name`) },
      };
      return { apply: <T>(fn: (value: { nodes: typeof nodes }) => T): T => fn({ nodes }) };
    }
  }

  const QueueBase = resource('sst.aws.Queue', ['arn', 'url']);
  class Queue extends QueueBase {
    readonly nodes = { queue: { name: new Token(`${String(created.at(-1)?.name)}.queueName`) } };
  }
  const BucketBase = resource('sst.aws.Bucket', ['name', 'arn']);
  class Bucket extends BucketBase {}
  const CronBase = resource('sst.aws.CronV2', []);
  class CronV2 extends CronBase {
    readonly nodes = {
      function: { name: new Token(`${String(created.at(-1)?.name)}.functionName`) },
    };
  }

  const globals = {
    $app: { name: 'auditflow', stage, removal: 'remove', protect: false, providers: {} },
    $dev: false,
    $interpolate: (strings: TemplateStringsArray, ...values: unknown[]) =>
      strings.reduce(
        (out, part, i) => out + part + (i < values.length ? String(values[i]) : ''),
        '',
      ),
    $jsonStringify: (value: unknown) => new Json(value),
    sst: namespace('sst', {
      Secret: resource('sst.Secret', ['value']),
      Linkable: resource('sst.Linkable', []),
      aws: namespace('sst.aws', {
        Vpc: resource('sst.aws.Vpc', ['id', 'securityGroups', 'privateSubnets', 'publicSubnets']),
        Postgres: resource('sst.aws.Postgres', [
          'host',
          'port',
          'username',
          'password',
          'database',
        ]),
        Function: resource('sst.aws.Function', ['name', 'arn', 'url']),
        Bus,
        Queue,
        Bucket,
        CronV2,
        ApiGatewayV2,
        StaticSite: resource('sst.aws.StaticSite', ['url']),
      }),
    }),
    aws: namespace('aws', {
      lambda: namespace('aws.lambda', {
        Invocation: resource('aws.lambda.Invocation', ['result']),
      }),
      s3: namespace('aws.s3', {
        BucketObjectLockConfiguration: resource('aws.s3.BucketObjectLockConfiguration', ['id']),
      }),
      sqs: namespace('aws.sqs', {
        QueuePolicy: resource('aws.sqs.QueuePolicy', ['id']),
      }),
      sns: namespace('aws.sns', {
        Topic: resource('aws.sns.Topic', ['arn']),
        TopicSubscription: resource('aws.sns.TopicSubscription', ['arn']),
      }),
      cloudwatch: namespace('aws.cloudwatch', {
        MetricAlarm: resource('aws.cloudwatch.MetricAlarm', ['arn']),
      }),
    }),
  };

  return { globals, created, routeCalls, authorizers, subscribeCalls };
}

let config: SstConfig;

beforeAll(async () => {
  // `$config` is called when the module loads; the rest of the globals only inside run().
  vi.stubGlobal('$config', (input: SstConfig) => input);
  // A computed specifier keeps sst.config.ts, which needs SST's global types, out of the
  // project's own type-check.
  const url = pathToFileURL(resolve(root, 'sst.config.ts')).href;
  config = (await import(url)).default;
  vi.unstubAllGlobals();
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

async function deploy(stage = 'dev') {
  const recording = standIns(stage);
  for (const [name, value] of Object.entries(recording.globals)) vi.stubGlobal(name, value);
  const outputs = await config.run();

  const all = (kind: string) => recording.created.filter((c) => c.kind === kind);
  const one = (kind: string, name?: string) => {
    const matches = all(kind).filter((c) => name === undefined || c.name === name);
    expect(matches, `expected exactly one ${kind}${name ? ` named ${name}` : ''}`).toHaveLength(1);
    return matches[0] as Created;
  };
  return { ...recording, outputs, all, one };
}

type Deployment = Awaited<ReturnType<typeof deploy>>;

/**
 * The function SST builds for a route: the route's own handler args, plus the API's `link`
 * and `transform.route.handler`, merged the way ApiGatewayV2 merges them.
 */
function routeFunction(call: RouteCall): Args {
  const apiLink = call.api.args.link;
  const list = (value: unknown) => (Array.isArray(value) ? value : []);
  let base: Args;
  if (typeof call.handler === 'string') {
    base = { handler: call.handler, link: apiLink };
  } else {
    const own = record(call.handler, `handler of ${call.route}`);
    base = { ...own, link: [...list(apiLink), ...list(own.link)] };
  }
  const transform = record(call.api.args.transform ?? {}, 'transform').route;
  const handlerTransform = transform === undefined ? undefined : record(transform, 'route').handler;
  if (typeof handlerTransform === 'function') {
    handlerTransform(base, {}, call.route);
    return base;
  }
  return {
    ...base,
    ...(handlerTransform === undefined ? {} : record(handlerTransform, 'handler')),
  };
}

function routeCall(deployment: Deployment, route: RouteDefinition): RouteCall {
  const key = `${route.method} ${route.path}`;
  const calls = deployment.routeCalls.filter((c) => c.route === key);
  expect(calls, `expected ${key} to be registered exactly once`).toHaveLength(1);
  return calls[0] as RouteCall;
}

/**
 * The args a resource ends up with after an SST `transform`: a function edits the defaults in
 * place, an object is spread over them.
 */
function transformed(transform: unknown, defaults: Args, name: string): Args {
  const args = { ...defaults };
  if (transform === undefined) return args;
  if (typeof transform === 'function') {
    transform(args, {}, name);
    return args;
  }
  return { ...args, ...record(transform, `transform of ${name}`) };
}

/**
 * The function a CronV2 runs: `function` (or the deprecated `job`) given either as a handler
 * string or as full function args.
 */
function cronFunction(cron: Created): Args {
  const fn = cron.args.function ?? cron.args.job;
  if (typeof fn === 'string') return { handler: fn };
  return record(fn, `function of ${cron.name}`);
}

/** Seconds in an SST duration such as `70 seconds` or `2 minutes`. */
function durationSeconds(duration: unknown): number {
  const match = /^(\d+(?:\.\d+)?) (second|minute|hour|day)s?$/.exec(String(duration));
  if (!match) throw new Error(`not an SST duration: ${String(duration)}`);
  const unit = { second: 1, minute: 60, hour: 3_600, day: 86_400 }[match[2] as string] as number;
  return Number(match[1]) * unit;
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** Whether the source declares a value export with this name (type-only exports do not count). */
function exportsValue(source: string, name: string): boolean {
  const code = withoutComments(source);
  const declared = new RegExp(
    `\\bexport\\s+(?:(?:const|let|var)\\s+${name}\\b|(?:async\\s+)?function\\s*\\*?\\s*${name}\\s*[(<])`,
  );
  if (declared.test(code)) return true;
  for (const list of code.matchAll(/\bexport\s*\{([^}]*)\}/g)) {
    for (const item of (list[1] ?? '').split(',')) {
      const parts = item.trim().split(/\s+/);
      if (parts[0] === 'type') continue;
      const exported = parts.length >= 3 && parts[1] === 'as' ? parts[2] : parts[0];
      if (exported === name) return true;
    }
  }
  return false;
}

function expectHandlerExported(handler: string, usedBy: string): void {
  const { file, exportName } = parseHandler(handler);
  const path = resolve(root, file);
  expect(existsSync(path), `${file} does not exist (handler "${handler}" of ${usedBy})`).toBe(true);
  expect(
    exportsValue(readFileSync(path, 'utf8'), exportName),
    `${file} does not export \`${exportName}\` (handler "${handler}" of ${usedBy})`,
  ).toBe(true);
}

describe('app', () => {
  it('keeps production resources when the stage is removed', async () => {
    expect(await config.app({ stage: 'production' })).toMatchObject({ removal: 'retain' });
  });

  it('removes every resource of any other stage', async () => {
    expect(await config.app({ stage: 'pr-42' })).toMatchObject({ removal: 'remove' });
  });
});

describe('network and database', () => {
  it('gives the private subnets a way out through NAT', async () => {
    const { one } = await deploy();
    expect(['ec2', 'managed']).toContain(one('sst.aws.Vpc').args.nat);
  });

  it('puts the database behind an RDS Proxy inside the VPC', async () => {
    const { one } = await deploy();
    const vpc = one('sst.aws.Vpc');
    expect(one('sst.aws.Postgres', 'Database').args).toMatchObject({
      proxy: expect.anything(),
      vpc: vpc.instance,
    });
  });

  it('registers a secret of its own for each login role with the proxy', async () => {
    const { one } = await deploy();
    const proxy = record(one('sst.aws.Postgres', 'Database').args.proxy, 'proxy');
    const secret = (name: string) => (one('sst.Secret', name).instance as { value: unknown }).value;
    expect(proxy.credentials).toEqual([
      { username: 'auditflow_api', password: secret('DatabaseApiPassword') },
      { username: 'auditflow_relay', password: secret('DatabaseRelayPassword') },
      { username: 'auditflow_operator', password: secret('DatabaseOperatorPassword') },
    ]);
  });
});

/** Every function the config deploys, by a name for messages, with its final args. */
function everyFunction(deployment: Deployment): [string, Args][] {
  return [
    ...deployment.all('sst.aws.Function').map((f): [string, Args] => [f.name, f.args]),
    ['Relay', cronFunction(deployment.one('sst.aws.CronV2', 'Relay'))],
    ...routes.map((route): [string, Args] => [
      `${route.method} ${route.path}`,
      routeFunction(routeCall(deployment, route)),
    ]),
    ...deployment.subscribeCalls.map((call): [string, Args] => [
      call.name,
      record(call.subscriber, `subscriber ${call.name}`),
    ]),
  ];
}

describe('database credentials', () => {
  it('links no function but the Migrator to the master credentials, or to the role passwords', async () => {
    const deployment = await deploy();
    const master = deployment.one('sst.aws.Postgres', 'Database').instance;
    const roles = deployment.one('sst.Linkable', 'DatabaseRoles').instance;
    const functions = everyFunction(deployment);
    expect(functions.length).toBeGreaterThan(routes.length);
    for (const [name, args] of functions) {
      const link = Array.isArray(args.link) ? args.link : [];
      const holdsMaster = link.includes(master) || link.includes(roles);
      expect(holdsMaster, `${name} holds the master credentials`).toBe(name === 'Migrator');
    }
  });

  it('links every other function to its login role, named in DATABASE_RESOURCE, and only the platform routes to the operator role too', async () => {
    const deployment = await deploy();
    const linkables = deployment.all('sst.Linkable');
    const platformRoutes = new Set(
      routes.filter((r) => r.scopes.includes('platform')).map((r) => `${r.method} ${r.path}`),
    );
    expect(platformRoutes.size).toBeGreaterThan(0);
    for (const [name, args] of everyFunction(deployment)) {
      if (name === 'Migrator') continue;
      const link = Array.isArray(args.link) ? args.link : [];
      const roleLinks = linkables.filter((l) => link.includes(l.instance));
      const environment = record(args.environment, `${name} environment`);
      const usernameOf = (resource: unknown) => {
        const role = roleLinks.find((l) => l.name === resource);
        expect(role, `${name} links ${String(resource)}`).toBeDefined();
        return record((role as Created).args.properties, 'properties').username;
      };
      expect(usernameOf(environment.DATABASE_RESOURCE), name).toBe(
        name === 'Relay' ? 'auditflow_relay' : 'auditflow_api',
      );
      if (platformRoutes.has(name)) {
        expect(roleLinks, name).toHaveLength(2);
        expect(usernameOf(environment.PLATFORM_DATABASE_RESOURCE), name).toBe('auditflow_operator');
      } else {
        expect(roleLinks, name).toHaveLength(1);
        expect(environment.PLATFORM_DATABASE_RESOURCE, name).toBeUndefined();
      }
    }
  });
});

describe('API routes', () => {
  it('registers every route of the manifest and no other', async () => {
    const { routeCalls } = await deploy();
    const registered = routeCalls.map((c) => c.route).sort();
    const declared = routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(registered).toEqual(declared);
  });

  it('serves all routes from one API named Api', async () => {
    const { one, routeCalls } = await deploy();
    const api = one('sst.aws.ApiGatewayV2', 'Api');
    for (const call of routeCalls) expect(call.api).toBe(api);
  });

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    'points %s at its manifest handler, in a file that exports it',
    async (key, route) => {
      const deployment = await deploy();
      const fn = routeFunction(routeCall(deployment, route));
      expect(fn.handler).toBe(route.handler);
      expectHandlerExported(route.handler, key);
    },
  );

  it("runs every route function inside the VPC, linked to the API role's database", async () => {
    const deployment = await deploy();
    const vpc = deployment.one('sst.aws.Vpc').instance;
    const database = deployment.one('sst.Linkable', 'DatabaseApi').instance;
    for (const route of routes) {
      const fn = routeFunction(routeCall(deployment, route));
      const key = `${route.method} ${route.path}`;
      expect(fn.vpc, `${key} is not in the VPC`).toBe(vpc);
      expect(fn.link, `${key} is not linked to the database`).toContain(database);
    }
  });

  it('runs every route function on Node.js 24 with source-mapped stack traces', async () => {
    const deployment = await deploy();
    for (const route of routes) {
      const fn = routeFunction(routeCall(deployment, route));
      expect(fn.runtime).toBe('nodejs24.x');
      expect(record(fn.environment, 'environment').NODE_OPTIONS).toContain('--enable-source-maps');
      expect(record(fn.nodejs, 'nodejs').sourcemap).toBe(true);
    }
  });
});

describe('authorization', () => {
  it('verifies JWTs against the issuer and audience set per stage as secrets', async () => {
    const { one, authorizers } = await deploy();
    expect(authorizers).toHaveLength(1);
    const jwt = record((authorizers[0] as AuthorizerCall).args.jwt, 'jwt');
    expect(jwt.issuer).toBe(one('sst.Secret', 'JwtIssuer').instance.value);
    expect(jwt.audiences).toEqual([one('sst.Secret', 'JwtAudience').instance.value]);
  });

  it('guards every route marked auth with the JWT authorizer and the scopes the manifest names', async () => {
    const deployment = await deploy();
    const authorizerId = (deployment.authorizers[0] as AuthorizerCall).id;
    const guarded = routes.filter((r) => r.auth);
    expect(guarded.length).toBeGreaterThan(0);
    for (const route of guarded) {
      const { args } = routeCall(deployment, route);
      expect(route.scopes.length, `${route.method} ${route.path}`).toBeGreaterThan(0);
      expect(args.auth, `${route.method} ${route.path}`).toEqual({
        jwt: { authorizer: authorizerId, scopes: [...route.scopes] },
      });
    }
  });

  it('leaves GET /health open', async () => {
    const deployment = await deploy();
    const health = routes.find((r) => r.path === '/health');
    expect(health?.auth).toBe(false);
    const { args } = routeCall(deployment, health as RouteDefinition);
    expect(args.auth ?? false).toBe(false);
  });
});

describe('migrations', () => {
  it('points the Migrator at a file that exports its handler', async () => {
    const { one } = await deploy();
    const handler = one('sst.aws.Function', 'Migrator').args.handler;
    expectHandlerExported(String(handler), 'the Migrator');
  });

  it("links the Migrator, and nothing else, to the login roles' passwords, each a per-stage secret", async () => {
    const deployment = await deploy();
    const roles = deployment.one('sst.Linkable', 'DatabaseRoles');
    const secret = (name: string) => deployment.one('sst.Secret', name).instance.value;
    expect(roles.args.properties).toEqual({
      api: secret('DatabaseApiPassword'),
      relay: secret('DatabaseRelayPassword'),
      operator: secret('DatabaseOperatorPassword'),
    });
    const linked = deployment.created.filter((c) =>
      JSON.stringify(c.args, (_, v) => (v === roles.instance ? '<roles>' : v)).includes('<roles>'),
    );
    expect(linked.map((c) => c.name)).toEqual(['Migrator']);
  });

  it('runs the Migrator inside the VPC, linked to the master credentials and the role passwords', async () => {
    const { one } = await deploy();
    const migrator = one('sst.aws.Function', 'Migrator');
    expect(migrator.args.vpc).toBe(one('sst.aws.Vpc').instance);
    expect(migrator.args.link).toContain(one('sst.aws.Postgres', 'Database').instance);
    expect(migrator.args.link).toContain(one('sst.Linkable', 'DatabaseRoles').instance);
    expect(migrator.args.timeout).toBe('5 minutes');
  });

  it('invokes the Migrator as part of the deploy', async () => {
    const { one } = await deploy();
    const invocation = one('aws.lambda.Invocation');
    expect(invocation.args.functionName).toBe(one('sst.aws.Function', 'Migrator').instance.name);
    expect(() => JSON.parse(String(invocation.args.input))).not.toThrow();
  });

  it('invokes the Migrator again on every later deploy', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const first = (await deploy()).one('aws.lambda.Invocation').args;
    vi.setSystemTime(new Date('2026-01-01T00:05:00Z'));
    const second = (await deploy()).one('aws.lambda.Invocation').args;
    // Pulumi re-invokes only when the Invocation is replaced, which a change of input or
    // triggers causes.
    expect({ input: second.input, triggers: second.triggers }).not.toEqual({
      input: first.input,
      triggers: first.triggers,
    });
  });
});

describe('outbox relay', () => {
  /** What the relay handler keeps back from its deadline (RELAY_SAFETY_MARGIN_MS). */
  const safetyMarginSeconds = RELAY_DEFAULTS.safetyMarginMs / 1_000;

  const relayFunction = (deployment: Deployment) =>
    cronFunction(deployment.one('sst.aws.CronV2', 'Relay'));

  it('runs the relay every minute', async () => {
    const { one } = await deploy();
    expect(['rate(1 minute)', 'cron(* * * * ? *)']).toContain(
      one('sst.aws.CronV2', 'Relay').args.schedule,
    );
  });

  it('points the relay at a file that exports its handler', async () => {
    const fn = relayFunction(await deploy());
    expectHandlerExported(String(fn.handler), 'the Relay cron');
  });

  it("runs the relay inside the VPC, linked to the relay role's database and the bus", async () => {
    const deployment = await deploy();
    const fn = relayFunction(deployment);
    expect(fn.vpc).toBe(deployment.one('sst.aws.Vpc').instance);
    // The link is what hands the handler SST_RESOURCE_DatabaseRelay and SST_RESOURCE_Bus and
    // grants PutEvents on the bus.
    expect(fn.link).toContain(deployment.one('sst.Linkable', 'DatabaseRelay').instance);
    expect(fn.link).toContain(deployment.one('sst.aws.Bus', 'Bus').instance);
  });

  it('drains for at least the minute until the next run, within the Lambda limit', async () => {
    const timeout = durationSeconds(relayFunction(await deploy()).timeout);
    expect(timeout - safetyMarginSeconds).toBeGreaterThanOrEqual(60);
    expect(timeout).toBeLessThanOrEqual(15 * 60);
  });

  it('runs the relay on Node.js 24 with source maps and its Powertools names', async () => {
    const fn = relayFunction(await deploy());
    expect(fn.runtime).toBe('nodejs24.x');
    expect(record(fn.nodejs, 'nodejs').sourcemap).toBe(true);
    expect(fn.environment).toMatchObject({
      NODE_OPTIONS: expect.stringContaining('--enable-source-maps'),
      POWERTOOLS_SERVICE_NAME: 'auditflow-relay',
      POWERTOOLS_METRICS_NAMESPACE: 'auditflow',
    });
  });
});

describe('outputs', () => {
  it("exposes the API URL, the bus name, the console URL, and each subscriber's dead-letter queue and function for a redrive", async () => {
    const { one, outputs } = await deploy();
    expect(outputs).toEqual({
      api: one('sst.aws.ApiGatewayV2', 'Api').instance.url,
      bus: one('sst.aws.Bus', 'Bus').instance.name,
      console: one('sst.aws.StaticSite', 'Console').instance.url,
      subscriberDlqs: Object.fromEntries(
        subscriptions.map((subscription) => {
          const id = subscription.name
            .split('-')
            .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
            .join('');
          return [
            subscription.name,
            {
              queueUrl: one('sst.aws.Queue', `${id}Dlq`).instance.url,
              functionName: expect.objectContaining({ label: `BusSubscriber${id}Function.name` }),
            },
          ];
        }),
      ),
      auditCheckpoints: one('sst.aws.Bucket', 'AuditCheckpoints').instance.name,
    });
  });
});

describe('operator console', () => {
  const consoleDir = resolve(root, 'packages/console');

  /** Every API path the console's modules call through api(): `api('/operator/...'`. */
  function calledPaths(): string[] {
    const paths = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = resolve(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.name.endsWith('.js')) {
          for (const call of readFileSync(file, 'utf8').matchAll(/\bapi\(\s*[`'"]([^`'"?]+)/g)) {
            paths.add(String(call[1]).replace(/\$\{[^}]+\}/g, '{id}'));
          }
        }
      }
    };
    walk(resolve(consoleDir, 'src'));
    return [...paths].sort();
  }

  it('deploys the console as a static site whose build is told the API URL', async () => {
    const { one } = await deploy();
    const site = one('sst.aws.StaticSite', 'Console');
    expect(site.args).toMatchObject({
      path: 'packages/console',
      build: { command: 'npm run build', output: 'dist' },
    });
    expect(record(site.args.environment, 'environment').CONSOLE_API_URL).toBe(
      one('sst.aws.ApiGatewayV2', 'Api').instance.url,
    );
    const manifest = JSON.parse(readFileSync(resolve(consoleDir, 'package.json'), 'utf8'));
    expect(manifest.scripts.build).toBeDefined();
    expect(readFileSync(resolve(consoleDir, 'build.ts'), 'utf8')).toContain('CONSOLE_API_URL');
  });

  it('calls only operator routes, each behind the JWT authorizer with the operator scope', async () => {
    const deployment = await deploy();
    const authorizerId = (deployment.authorizers[0] as AuthorizerCall).id;
    const called = calledPaths();
    expect(called).toEqual([
      '/operator/audit-export',
      '/operator/dead-events/{id}/retry',
      '/operator/outbox/overview',
      '/operator/reconcile',
      '/operator/timeline',
    ]);
    for (const path of called) {
      const route = routes.find((r) => r.path === path);
      expect(route, `${path} is not a route of the manifest`).toBeDefined();
      expect(path.startsWith('/operator/'), path).toBe(true);
      const { args } = routeCall(deployment, route as RouteDefinition);
      expect(args.auth, path).toEqual({
        jwt: { authorizer: authorizerId, scopes: expect.arrayContaining(['operator']) },
      });
    }
  });

  it('serves the console with headers that forbid framing it, from the CDN', async () => {
    const { one } = await deploy();
    const edge = record(one('sst.aws.StaticSite', 'Console').args.edge, 'edge');
    const injection = String(record(edge.viewerResponse, 'viewerResponse').injection);
    for (const [name, value] of Object.entries(CONSOLE_RESPONSE_HEADERS)) {
      expect(injection).toContain(
        `event.response.headers[${JSON.stringify(name)}] = { value: ${JSON.stringify(value)} };`,
      );
    }
    expect(CONSOLE_RESPONSE_HEADERS['content-security-policy']).toBe("frame-ancestors 'none'");
  });

  it("lets the console's origin send its bearer token to the API, without cookies", async () => {
    const { one } = await deploy();
    const cors = record(one('sst.aws.ApiGatewayV2', 'Api').args.cors, 'cors');
    expect(cors.allowHeaders).toContain('authorization');
    expect(cors.allowMethods).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(cors.allowCredentials).toBe(false);
  });
});

describe('event subscribers', () => {
  /** Lambda's limits for asynchronous invocations, and EventBridge's for target retries. */
  const lambdaAsync = { maxRetries: 2, minAge: 60, maxAge: 6 * 3_600 };
  const eventBridge = { maxRetries: 185, minAge: 60, maxAge: 24 * 3_600 };

  /** The function SST builds for a subscriber: a handler string or full function args. */
  const subscriberFunction = (call: SubscribeCall): Args =>
    typeof call.subscriber === 'string'
      ? { handler: call.subscriber }
      : record(call.subscriber, `subscriber ${call.name}`);

  const subscribeCall = (deployment: Deployment, subscription: Subscription): SubscribeCall => {
    const calls = deployment.subscribeCalls.filter(
      (c) => subscriberFunction(c).handler === subscription.handler,
    );
    expect(calls, `expected ${subscription.name} to be subscribed exactly once`).toHaveLength(1);
    return calls[0] as SubscribeCall;
  };

  /** The EventBridge target SST creates, after the subscription's `transform.target`. */
  const target = (call: SubscribeCall): Args =>
    transformed(record(call.args.transform ?? {}, 'transform').target, {}, `${call.name}Target`);

  /** The queue the target's dead-letter config points at. */
  const deadLetterQueue = (deployment: Deployment, call: SubscribeCall): Created => {
    const arn = record(target(call).deadLetterConfig, `deadLetterConfig of ${call.name}`).arn;
    const queues = deployment.all('sst.aws.Queue').filter((q) => q.instance.arn === arn);
    expect(queues, `the dead-letter ARN of ${call.name} is no queue's`).toHaveLength(1);
    return queues[0] as Created;
  };

  const bySubscription = subscriptions.map((s) => [s.name, s] as const);

  it('subscribes every declared subscriber to the bus and nothing else', async () => {
    const deployment = await deploy();
    const bus = deployment.one('sst.aws.Bus', 'Bus');
    expect(subscriptions.length).toBeGreaterThan(0);
    expect(deployment.subscribeCalls).toHaveLength(subscriptions.length);
    for (const call of deployment.subscribeCalls) expect(call.bus).toBe(bus);
    for (const subscription of subscriptions) subscribeCall(deployment, subscription);
  });

  it.each(bySubscription)('subscribes %s with its declared pattern', async (_, subscription) => {
    const call = subscribeCall(await deploy(), subscription);
    expect(call.args.pattern).toEqual(subscription.pattern);
  });

  it.each(bySubscription)(
    'points %s at its declared handler, in a file that exports it',
    async (name, subscription) => {
      const fn = subscriberFunction(subscribeCall(await deploy(), subscription));
      expect(fn.handler).toBe(subscription.handler);
      expectHandlerExported(subscription.handler, `subscriber ${name}`);
    },
  );

  it("runs every subscriber inside the VPC, linked to the API role's database", async () => {
    const deployment = await deploy();
    const vpc = deployment.one('sst.aws.Vpc').instance;
    const database = deployment.one('sst.Linkable', 'DatabaseApi').instance;
    for (const subscription of subscriptions) {
      const fn = subscriberFunction(subscribeCall(deployment, subscription));
      expect(fn.vpc, `${subscription.name} is not in the VPC`).toBe(vpc);
      expect(fn.link, `${subscription.name} is not linked to the database`).toContain(database);
    }
  });

  it('runs every subscriber on Node.js 24 with source maps and its own service name', async () => {
    const deployment = await deploy();
    for (const subscription of subscriptions) {
      const fn = subscriberFunction(subscribeCall(deployment, subscription));
      expect(fn.runtime).toBe('nodejs24.x');
      expect(fn.architecture).toBe('arm64');
      expect(record(fn.nodejs, 'nodejs').sourcemap).toBe(true);
      expect(fn.environment).toMatchObject({
        NODE_OPTIONS: expect.stringContaining('--enable-source-maps'),
        POWERTOOLS_SERVICE_NAME: subscription.name,
      });
      const timeout = durationSeconds(fn.timeout);
      expect(timeout).toBeGreaterThanOrEqual(10);
      expect(timeout).toBeLessThanOrEqual(5 * 60);
    }
  });

  it('gives every subscriber a dead-letter queue of its own', async () => {
    const deployment = await deploy();
    const queues = subscriptions.map((s) =>
      deadLetterQueue(deployment, subscribeCall(deployment, s)),
    );
    expect(new Set(queues).size).toBe(subscriptions.length);
  });

  it('keeps dead letters for at least a week, time to fix the cause and redrive', async () => {
    const deployment = await deploy();
    for (const subscription of subscriptions) {
      const queue = deadLetterQueue(deployment, subscribeCall(deployment, subscription));
      const sqsQueue = transformed(
        record(queue.args.transform ?? {}, 'transform').queue,
        {},
        `${queue.name}Queue`,
      );
      // SQS's default is four days: a dead letter from a Friday night would be gone by Tuesday.
      expect(Number(sqsQueue.messageRetentionSeconds)).toBeGreaterThanOrEqual(7 * 86_400);
    }
  });

  it.each(bySubscription)(
    'retries handing events to %s within EventBridge limits',
    async (_, subscription) => {
      const retryPolicy = record(
        target(subscribeCall(await deploy(), subscription)).retryPolicy,
        'retryPolicy',
      );
      expect(retryPolicy.maximumRetryAttempts).toBeGreaterThanOrEqual(1);
      expect(retryPolicy.maximumRetryAttempts).toBeLessThanOrEqual(eventBridge.maxRetries);
      expect(retryPolicy.maximumEventAgeInSeconds).toBeGreaterThanOrEqual(eventBridge.minAge);
      expect(retryPolicy.maximumEventAgeInSeconds).toBeLessThanOrEqual(eventBridge.maxAge);
    },
  );

  it.each(bySubscription)(
    'sends events %s keeps failing on to its dead-letter queue',
    async (name, subscription) => {
      const deployment = await deploy();
      const call = subscribeCall(deployment, subscription);
      const dlq = deadLetterQueue(deployment, call).instance;
      const fn = subscriberFunction(call);

      // SST creates the function's async invoke config only when `retries` is set.
      expect(Number.isInteger(fn.retries), `${name} sets no async retries`).toBe(true);
      expect(fn.retries).toBeGreaterThanOrEqual(1);
      expect(fn.retries).toBeLessThanOrEqual(lambdaAsync.maxRetries);

      const invokeConfig = transformed(
        record(fn.transform ?? {}, 'transform').eventInvokeConfig,
        { maximumRetryAttempts: fn.retries },
        `${name}EventInvokeConfig`,
      );
      const onFailure = record(
        record(invokeConfig.destinationConfig, 'destinationConfig').onFailure,
        'onFailure',
      );
      expect(onFailure.destination).toBe(dlq.arn);
      if (invokeConfig.maximumEventAgeInSeconds !== undefined) {
        expect(invokeConfig.maximumEventAgeInSeconds).toBeGreaterThanOrEqual(lambdaAsync.minAge);
        expect(invokeConfig.maximumEventAgeInSeconds).toBeLessThanOrEqual(lambdaAsync.maxAge);
      }

      // Lambda writes the on-failure record with the function's role.
      const permissions = Array.isArray(fn.permissions) ? fn.permissions : [];
      expect(permissions).toContainEqual({ actions: ['sqs:SendMessage'], resources: [dlq.arn] });
    },
  );

  it.each(bySubscription)(
    "lets only %s's rule write to its dead-letter queue",
    async (name, subscription) => {
      const deployment = await deploy();
      const call = subscribeCall(deployment, subscription);
      const dlq = deadLetterQueue(deployment, call).instance;
      const policies = deployment
        .all('aws.sqs.QueuePolicy')
        .filter((p) => p.args.queueUrl === dlq.url);
      expect(policies, `expected one queue policy on the DLQ of ${name}`).toHaveLength(1);

      const policy = (policies[0] as Created).args.policy;
      expect(policy).toBeInstanceOf(Json);
      const statements = record((policy as Json).value, 'policy').Statement;
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: dlq.arn,
        Condition: { ArnEquals: { 'aws:SourceArn': call.rule.arn } },
      });
    },
  );
});

describe('alarms', () => {
  const alarms = async () => {
    const deployment = await deploy();
    const topic = deployment.one('aws.sns.Topic', 'Alarms').instance.arn;
    const byName = (name: string) => deployment.one('aws.cloudwatch.MetricAlarm', name).args;
    return { deployment, topic, byName };
  };

  it('sends every alarm, and its recovery, to one topic that emails the address configured per stage', async () => {
    const { deployment, topic } = await alarms();
    const subscription = deployment.one('aws.sns.TopicSubscription').args;
    expect(subscription).toMatchObject({ topic, protocol: 'email' });
    expect(subscription.endpoint).toBe(deployment.one('sst.Secret', 'AlarmEmail').instance.value);
    const all = deployment.all('aws.cloudwatch.MetricAlarm');
    expect(all.length).toBeGreaterThanOrEqual(4 + subscriptions.length);
    for (const { name, args } of all) {
      expect(args.alarmActions, name).toEqual([topic]);
      expect(args.okActions, name).toEqual([topic]);
    }
  });

  it('alarms when the oldest pending event is older than the threshold, or the relay stops reporting it', async () => {
    const { byName } = await alarms();
    expect(byName('RelayOldestPendingAlarm')).toMatchObject({
      namespace: 'auditflow',
      metricName: 'OldestPendingAgeMs',
      dimensions: { service: 'auditflow-relay' },
      statistic: 'Maximum',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 300_000,
      treatMissingData: 'breaching',
    });
  });

  it('alarms on any dead event, as the relay counts them', async () => {
    const { byName } = await alarms();
    expect(byName('RelayDeadEventsAlarm')).toMatchObject({
      namespace: 'auditflow',
      metricName: 'EventsDead',
      dimensions: { service: 'auditflow-relay' },
      statistic: 'Sum',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
    });
  });

  it("alarms on the relay Lambda's errors and throttles", async () => {
    const { deployment, byName } = await alarms();
    const cron = deployment.one('sst.aws.CronV2', 'Relay').instance as {
      nodes: { function: { name: unknown } };
    };
    for (const metricName of ['Errors', 'Throttles']) {
      expect(byName(`Relay${metricName}Alarm`)).toMatchObject({
        namespace: 'AWS/Lambda',
        metricName,
        dimensions: { FunctionName: cron.nodes.function.name },
        threshold: 0,
      });
    }
  });

  it("alarms on any message in each subscriber's dead-letter queue", async () => {
    const { deployment, byName } = await alarms();
    for (const subscription of subscriptions) {
      const id = subscription.name
        .split('-')
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join('');
      const queue = deployment.one('sst.aws.Queue', `${id}Dlq`).instance as {
        nodes: { queue: { name: unknown } };
      };
      expect(byName(`${id}DlqAlarm`)).toMatchObject({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queue.nodes.queue.name },
        threshold: 0,
      });
    }
  });
});

describe('audit chain checkpoints', () => {
  const checkpointSubscriber = (deployment: Deployment): Args => {
    const call = deployment.subscribeCalls.find((c) => c.name === 'StoreAuditCheckpoints');
    if (!call) throw new Error('the checkpoint subscriber is not subscribed');
    return record(call.subscriber, 'StoreAuditCheckpoints');
  };

  it('keeps checkpoints in a versioned bucket locked in COMPLIANCE mode, never destroyed with the stage', async () => {
    const deployment = await deploy();
    const bucket = deployment.one('sst.aws.Bucket', 'AuditCheckpoints');
    expect(bucket.args.versioning).toBe(true);
    const transform = record(bucket.args.transform, 'transform');
    expect(transformed(transform.bucket, { forceDestroy: true }, 'AuditCheckpointsBucket')).toEqual(
      {
        forceDestroy: false,
        objectLockEnabled: true,
      },
    );
    const lock = deployment.one('aws.s3.BucketObjectLockConfiguration', 'AuditCheckpointsLock');
    expect(lock.args).toEqual({
      bucket: bucket.instance.name,
      objectLockEnabled: 'Enabled',
      rule: { defaultRetention: { mode: 'COMPLIANCE', days: 2555 } },
    });
  });

  it('takes the retention from AUDIT_CHECKPOINT_RETENTION_DAYS at deploy, and refuses nonsense', async () => {
    vi.stubEnv('AUDIT_CHECKPOINT_RETENTION_DAYS', '3650');
    const deployment = await deploy();
    const lock = deployment.one('aws.s3.BucketObjectLockConfiguration', 'AuditCheckpointsLock');
    expect(lock.args.rule).toEqual({ defaultRetention: { mode: 'COMPLIANCE', days: 3650 } });
    expect(checkpointSubscriber(deployment).environment).toMatchObject({
      AUDIT_CHECKPOINT_RETENTION_DAYS: '3650',
    });
    vi.stubEnv('AUDIT_CHECKPOINT_RETENTION_DAYS', 'forever');
    await expect(deploy()).rejects.toThrow(/AUDIT_CHECKPOINT_RETENTION_DAYS/);
    vi.unstubAllEnvs();
  });

  it('lets only the checkpoint subscriber write to the bucket, new checkpoints only, and only the export route read it', async () => {
    const deployment = await deploy();
    const bucket = deployment.one('sst.aws.Bucket', 'AuditCheckpoints').instance;
    const fn = checkpointSubscriber(deployment);
    expect(fn.environment).toMatchObject({ AUDIT_CHECKPOINT_BUCKET: bucket.name });
    expect(fn.permissions).toContainEqual({
      actions: ['s3:PutObject', 's3:PutObjectRetention'],
      resources: [`${String(bucket.arn)}/checkpoints/*`],
    });
    for (const call of deployment.subscribeCalls.filter(
      (c) => c.name !== 'StoreAuditCheckpoints',
    )) {
      const other = record(call.subscriber, call.name);
      expect(JSON.stringify(other.permissions ?? [])).not.toContain('s3:');
      expect(record(other.environment, 'environment').AUDIT_CHECKPOINT_BUCKET).toBeUndefined();
    }
    // No route but the export reads the bucket, and that one only lists and reads checkpoints.
    const exporting = routes.find((route) => route.path === '/operator/audit-export');
    for (const route of routes) {
      const args = routeFunction(routeCall(deployment, route));
      const s3 = ((args.permissions as { actions: string[] }[] | undefined) ?? []).filter((p) =>
        p.actions.some((action) => action.startsWith('s3:')),
      );
      if (route !== exporting) {
        expect(s3, route.path).toEqual([]);
        continue;
      }
      expect(s3).toEqual([
        { actions: ['s3:ListBucketVersions'], resources: [bucket.arn] },
        {
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resources: [`${String(bucket.arn)}/checkpoints/*`],
        },
      ]);
      expect(record(args.environment, 'environment').AUDIT_CHECKPOINT_BUCKET).toBe(bucket.name);
    }
    // No function is linked to the bucket: a link would grant every S3 action on it.
    for (const created of deployment.all('sst.aws.Function')) {
      expect((created.args.link as unknown[] | undefined) ?? []).not.toContain(bucket);
    }
  });
});
