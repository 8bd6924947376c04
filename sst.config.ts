/// <reference path="./.sst/platform/config.d.ts" />

export default $config({
  app(input) {
    const production = input?.stage === 'production';
    return {
      name: 'auditflow',
      home: 'aws',
      // The production database and its audit trail must outlive a mistaken `sst remove`;
      // every other stage is disposable.
      removal: production ? 'retain' : 'remove',
      protect: production,
    };
  },

  async run() {
    const { routes } = await import('./functions/api/routes');
    const production = $app.stage === 'production';

    // Functions in the private subnets need a way out for AWS APIs (PutEvents from the relay,
    // invoking the relay after a commit). A fck-nat instance costs a few dollars a month,
    // which suits throwaway stages; production gets managed NAT Gateways, which are highly
    // available and scale without anyone resizing an instance.
    const vpc = new sst.aws.Vpc('Vpc', {
      bastion: false,
      nat: production ? 'managed' : 'ec2',
    });

    // Lambda opens a connection per concurrent instance; the RDS Proxy pools them so a burst
    // of requests cannot exhaust the database's connection slots. Linked functions get the
    // proxy as `host`. The major version is pinned so an SST upgrade that moves its default
    // cannot restart the database on a new major; the schema needs nothing newer than
    // Postgres 13 (xid8, pg_current_xact_id), and RDS Proxy support trails new majors.
    const database = new sst.aws.Postgres('Database', {
      vpc,
      proxy: true,
      version: '17',
    });

    // What every function that talks to the database needs. The database only accepts
    // connections from inside the VPC, and handlers read its credentials from the link.
    const databaseFunction = {
      vpc,
      link: [database],
      runtime: 'nodejs24.x',
      // No native dependencies, and Graviton is cheaper per millisecond.
      architecture: 'arm64',
      // Stack traces in the logs should point at the TypeScript sources, not the bundle.
      nodejs: { sourcemap: true },
      environment: { NODE_OPTIONS: '--enable-source-maps' },
    } satisfies Partial<sst.aws.FunctionArgs>;

    // Route functions update alongside the migration, not after it, so a migration must keep
    // the previous release working (expand, then contract).
    const migrator = new sst.aws.Function('Migrator', {
      ...databaseFunction,
      handler: 'functions/migrate.handler',
      timeout: '5 minutes',
    });
    // An Invocation runs only when it is created or replaced: a value that changes on every
    // deploy makes each deploy apply pending migrations. A failed migration fails the deploy.
    const deployedAt = new Date().toISOString();
    new aws.lambda.Invocation('MigratorInvocation', {
      functionName: migrator.name,
      input: JSON.stringify({ deployedAt }),
      triggers: { deployedAt },
    });

    // Issuer and audience belong to whichever identity provider a stage trusts, so they are
    // set per stage (`sst secret set JwtIssuer https://...`) rather than written here. They
    // have no default: a stage cannot deploy until both are set, so no stage ever trusts
    // tokens from an issuer nobody chose.
    const jwtIssuer = new sst.Secret('JwtIssuer');
    const jwtAudience = new sst.Secret('JwtAudience');

    const api = new sst.aws.ApiGatewayV2('Api');
    const authorizer = api.addAuthorizer({
      name: 'Jwt',
      jwt: { issuer: jwtIssuer.value, audiences: [jwtAudience.value] },
    });

    // The manifest is the single list of routes, shared with the local gateway, so what runs
    // locally is what deploys.
    for (const route of routes) {
      api.route(
        `${route.method} ${route.path}`,
        { ...databaseFunction, handler: route.handler },
        route.auth ? { auth: { jwt: { authorizer: authorizer.id } } } : {},
      );
    }

    return { api: api.url };
  },
});
