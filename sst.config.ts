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
    const { MIGRATOR_HANDLER, RELAY_HANDLER, routes, subscriptions } = await import(
      './functions/wiring'
    );
    const production = $app.stage === 'production';

    // Functions in the private subnets need a way out for AWS APIs (the relay's PutEvents).
    // A fck-nat instance costs a few dollars a month, which suits throwaway stages; production
    // gets managed NAT Gateways, which are highly available and scale without anyone resizing
    // an instance.
    const vpc = new sst.aws.Vpc('Vpc', {
      bastion: false,
      nat: production ? 'managed' : 'ec2',
    });

    // Each part connects with a login role of its own (migration 0006-least-privilege-roles);
    // only the Migrator gets the master user, which owns the schema. Each role's password is a
    // stage secret (`sst secret set DatabaseApiPassword …`, at least 16 characters), registered
    // with the RDS Proxy as a Secrets Manager secret of its own, and given to the Migrator so it
    // can set it on the role. IAM database authentication would need a token per connection and
    // SST's proxy registers secrets only; see README, "Deploying".
    const rolePasswords = {
      api: new sst.Secret('DatabaseApiPassword'),
      relay: new sst.Secret('DatabaseRelayPassword'),
      operator: new sst.Secret('DatabaseOperatorPassword'),
    };

    // Lambda opens a connection per concurrent instance; the RDS Proxy pools them so a burst
    // of requests cannot exhaust the database's connection slots. Linked functions get the
    // proxy as `host`. The major version is pinned so an SST upgrade that moves its default
    // cannot restart the database on a new major; the schema needs nothing newer than
    // Postgres 13 (xid8, pg_current_xact_id), and RDS Proxy support trails new majors.
    const database = new sst.aws.Postgres('Database', {
      vpc,
      proxy: {
        credentials: [
          { username: 'auditflow_api', password: rolePasswords.api.value },
          { username: 'auditflow_relay', password: rolePasswords.relay.value },
          { username: 'auditflow_operator', password: rolePasswords.operator.value },
        ],
      },
      version: '17',
    });

    // What a function of one role is linked to: the proxy, the database, its role's name and
    // password. Handlers find it through DATABASE_RESOURCE (see resolveConnectionTarget).
    const roleDatabase = (name: string, username: string, password: sst.Secret) =>
      new sst.Linkable(name, {
        properties: {
          host: database.host,
          port: database.port,
          database: database.database,
          username,
          password: password.value,
        },
      });
    const apiDatabase = roleDatabase('DatabaseApi', 'auditflow_api', rolePasswords.api);
    const relayDatabase = roleDatabase('DatabaseRelay', 'auditflow_relay', rolePasswords.relay);
    // The operator routes under the platform scope read every tenant as the operator's role.
    const operatorDatabase = roleDatabase(
      'DatabaseOperator',
      'auditflow_operator',
      rolePasswords.operator,
    );
    // The Migrator sets these on the roles after migrating.
    const databaseRoles = new sst.Linkable('DatabaseRoles', {
      properties: {
        api: rolePasswords.api.value,
        relay: rolePasswords.relay.value,
        operator: rolePasswords.operator.value,
      },
    });

    // What every function that talks to the database needs, but its link: the database only
    // accepts connections from inside the VPC.
    const inVpc = {
      vpc,
      runtime: 'nodejs24.x',
      // No native dependencies, and Graviton is cheaper per millisecond.
      architecture: 'arm64',
      // Stack traces in the logs should point at the TypeScript sources, not the bundle.
      nodejs: { sourcemap: true },
      environment: { NODE_OPTIONS: '--enable-source-maps' },
    } satisfies Partial<sst.aws.FunctionArgs>;
    // The API handlers and the subscribers: the write unit's role.
    const databaseFunction = {
      ...inVpc,
      link: [apiDatabase],
      environment: { ...inVpc.environment, DATABASE_RESOURCE: 'DatabaseApi' },
    } satisfies Partial<sst.aws.FunctionArgs>;

    // Route functions update alongside the migration, not after it, so a migration must keep
    // the previous release working (expand, then contract).
    const migrator = new sst.aws.Function('Migrator', {
      ...inVpc,
      // The one function with the master credentials.
      link: [database, databaseRoles],
      handler: MIGRATOR_HANDLER,
      // How long subscribers' receipts are kept, and so how far back a replay may reach
      // (`INBOX_RETENTION_DAYS=60 sst deploy`); the Migrator writes it into the database.
      environment: {
        ...inVpc.environment,
        INBOX_RETENTION_DAYS: process.env.INBOX_RETENTION_DAYS ?? '30',
      },
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

    // Events leave the database only through the relay, which publishes them here.
    const bus = new sst.aws.Bus('Bus');

    // The relay drains the outbox to the bus. Each invocation keeps draining until its
    // remaining time minus a 10 s safety margin, so a timeout a little over a minute covers the
    // gap until the next scheduled run and events wait seconds, not minutes. The runs overlap
    // by a few seconds, which is safe: claims use FOR UPDATE SKIP LOCKED and leases, so two
    // relays never hold the same row at once (a relay stops sending before its lease ends;
    // one that dies mid-send may leave its in-flight events to be sent again, which
    // subscribers dedupe).
    const relay = new sst.aws.CronV2('Relay', {
      schedule: 'rate(1 minute)',
      // A failed run is followed by the next one within a minute, and the rows it had claimed
      // go back to the pool when their lease expires; a scheduler retry would only stack
      // another drain on top.
      retries: 0,
      function: {
        ...inVpc,
        handler: RELAY_HANDLER,
        // Linking the bus passes its name to the handler (`SST_RESOURCE_Bus`) and grants
        // `events:*` on that bus alone, which covers the relay's PutEvents.
        link: [relayDatabase, bus],
        timeout: '70 seconds',
        // The relay waits on Postgres and EventBridge rather than on CPU, and it runs around
        // the clock, so every megabyte is billed all month: a claimed batch fits in far less.
        memory: '256 MB',
        environment: {
          ...inVpc.environment,
          DATABASE_RESOURCE: 'DatabaseRelay',
          POWERTOOLS_SERVICE_NAME: 'auditflow-relay',
          POWERTOOLS_METRICS_NAMESPACE: 'auditflow',
        },
      },
    });

    // Audit chain checkpoints, kept where the database's credentials cannot reach: a bucket
    // with Object Lock in COMPLIANCE mode, so no one, the account's root included, can delete
    // or shorten the lock on a checkpoint before its retention ends. Object Lock needs
    // versioning, and a locked bucket can never be emptied early, so it is never destroyed
    // with the stage. For the strongest separation deploy it in an account the database's
    // administrators do not control. Retention: AUDIT_CHECKPOINT_RETENTION_DAYS at deploy
    // (default seven years).
    const checkpointRetentionDays = Number(process.env.AUDIT_CHECKPOINT_RETENTION_DAYS ?? 2555);
    if (!Number.isInteger(checkpointRetentionDays) || checkpointRetentionDays < 1) {
      throw new Error('AUDIT_CHECKPOINT_RETENTION_DAYS must be a whole number of days');
    }
    const auditCheckpoints = new sst.aws.Bucket('AuditCheckpoints', {
      versioning: true,
      transform: {
        bucket: (args) => {
          args.objectLockEnabled = true;
          args.forceDestroy = false;
        },
      },
    });
    new aws.s3.BucketObjectLockConfiguration(
      'AuditCheckpointsLock',
      {
        bucket: auditCheckpoints.name,
        objectLockEnabled: 'Enabled',
        rule: { defaultRetention: { mode: 'COMPLIANCE', days: checkpointRetentionDays } },
      },
      { dependsOn: [auditCheckpoints] },
    );
    // The checkpoint subscriber writes new checkpoints and nothing else: no delete, no
    // retention change, no read (verifying reads with the operator's own AWS credentials).
    const subscriberExtras: Record<
      string,
      {
        permissions: { actions: string[]; resources: $util.Input<string>[] }[];
        environment: Record<string, $util.Input<string>>;
      }
    > = {
      'store-audit-checkpoints': {
        permissions: [
          {
            actions: ['s3:PutObject', 's3:PutObjectRetention'],
            resources: [$interpolate`${auditCheckpoints.arn}/checkpoints/*`],
          },
        ],
        environment: {
          AUDIT_CHECKPOINT_BUCKET: auditCheckpoints.name,
          AUDIT_CHECKPOINT_RETENTION_DAYS: String(checkpointRetentionDays),
        },
      },
    };

    // The subscribers, declared once and shared with the local stack's EventBridge endpoint, so
    // what a subscriber receives locally is what its rule matches here.
    //
    // EventBridge invokes a Lambda target asynchronously: delivery succeeds once Lambda has
    // queued the event, so the target's retry policy and dead-letter queue cover only events
    // EventBridge could not hand over (throttled invokes, a missing permission after a bad
    // deploy). A handler that throws is retried by Lambda's own async retries, and the function's
    // on-failure destination sends the event to the same queue once those run out, so an event
    // whose handler keeps failing waits there for a redrive instead of being dropped. The two
    // paths leave different messages: EventBridge enqueues the event itself, Lambda an
    // invocation record with the event as `requestPayload`.
    //
    // Events that fail their schema never throw: the handler records them in the dead-letter
    // table and returns, because retrying them would fail the same way every time.
    const dlqs: { id: string; queueName: $util.Output<string> }[] = [];
    // What `npm run outbox -- subscriber-dlq` needs per subscriber (SUBSCRIBER_DLQ_URL_<NAME>,
    // SUBSCRIBER_FUNCTION_<NAME>): printed by `sst deploy` as the output `subscriberDlqs`.
    const subscriberDlqs: Record<
      string,
      { queueUrl: $util.Output<string>; functionName: $util.Output<string> }
    > = {};
    for (const subscription of subscriptions) {
      const id = pascalCase(subscription.name);

      // Fourteen days, SQS's longest retention, leaves time to fix the cause and redrive.
      const dlq = new sst.aws.Queue(`${id}Dlq`, {
        transform: { queue: { messageRetentionSeconds: 14 * 24 * 60 * 60 } },
      });
      dlqs.push({ id, queueName: dlq.nodes.queue.name });

      const subscriber = bus.subscribe(
        id,
        {
          ...databaseFunction,
          handler: subscription.handler,
          // A subscriber runs one short transaction per event; the headroom covers a cold
          // start that opens its first database connection through the proxy.
          timeout: '30 seconds',
          environment: {
            ...databaseFunction.environment,
            ...subscriberExtras[subscription.name]?.environment,
            POWERTOOLS_SERVICE_NAME: subscription.name,
          },
          // Lambda's maximum. The inbox row commits with the effect, so a retry after a
          // failure part-way through cannot apply it twice.
          retries: 2,
          // Lambda delivers on-failure records with the function's own role.
          permissions: [
            { actions: ['sqs:SendMessage'], resources: [dlq.arn] },
            ...(subscriberExtras[subscription.name]?.permissions ?? []),
          ],
          transform: {
            eventInvokeConfig: {
              // Lambda's maximum: an event held back by throttling outlives a short outage.
              maximumEventAgeInSeconds: 6 * 60 * 60,
              destinationConfig: { onFailure: { destination: dlq.arn } },
            },
          },
        },
        {
          pattern: subscription.pattern,
          transform: {
            target: (args) => {
              // The age is the binding limit: a hand-over that still fails after six hours
              // needs a person, and the event waits for them in the queue.
              args.retryPolicy = {
                maximumRetryAttempts: 185,
                maximumEventAgeInSeconds: 6 * 60 * 60,
              };
              args.deadLetterConfig = { arn: dlq.arn };
            },
          },
        },
      );

      subscriberDlqs[subscription.name] = {
        queueUrl: dlq.url,
        functionName: subscriber.apply((s) => s.nodes.function.name),
      };

      // SST's Queue has no resource policy of its own, and EventBridge writes to a target's
      // dead-letter queue as itself, not as a role: only this subscription's rule may.
      new aws.sqs.QueuePolicy(`${id}DlqPolicy`, {
        queueUrl: dlq.url,
        policy: $jsonStringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: dlq.arn,
              Condition: {
                ArnEquals: { 'aws:SourceArn': subscriber.apply((s) => s.nodes.rule.arn) },
              },
            },
          ],
        }),
      });
    }

    // Issuer and audience belong to whichever identity provider a stage trusts, so they are
    // set per stage (`sst secret set JwtIssuer https://...`) rather than written here. They
    // have no default: a stage cannot deploy until both are set, so no stage ever trusts
    // tokens from an issuer nobody chose.
    const jwtIssuer = new sst.Secret('JwtIssuer');
    const jwtAudience = new sst.Secret('JwtAudience');

    // The console is served from its own origin (the static site below) and calls the API with
    // a bearer token in the Authorization header, never with cookies, so allowing any origin
    // lets no page act with a visitor's credentials; the preflight must allow that header.
    const api = new sst.aws.ApiGatewayV2('Api', {
      cors: {
        allowOrigins: ['*'],
        allowMethods: ['GET', 'POST'],
        allowHeaders: [
          'authorization',
          'content-type',
          'x-correlation-id',
          'idempotency-key',
          'if-match',
        ],
        exposeHeaders: ['x-correlation-id', 'etag', 'location'],
        allowCredentials: false,
      },
    });
    const authorizer = api.addAuthorizer({
      name: 'Jwt',
      jwt: { issuer: jwtIssuer.value, audiences: [jwtAudience.value] },
    });

    // The console's export with proofs reads the tenant's stored checkpoints: list and read
    // them, and nothing else (no write, no delete, no retention change).
    const routeExtras: Record<
      string,
      {
        permissions: { actions: string[]; resources: $util.Input<string>[] }[];
        environment: Record<string, $util.Input<string>>;
      }
    > = {
      'functions/api/operator/audit-export.handler': {
        permissions: [
          { actions: ['s3:ListBucketVersions'], resources: [auditCheckpoints.arn] },
          {
            actions: ['s3:GetObject', 's3:GetObjectVersion'],
            resources: [$interpolate`${auditCheckpoints.arn}/checkpoints/*`],
          },
        ],
        environment: {
          AUDIT_CHECKPOINT_BUCKET: auditCheckpoints.name,
          AUDIT_CHECKPOINT_RETENTION_DAYS: String(checkpointRetentionDays),
        },
      },
    };

    // The manifest is the single list of routes, shared with the local gateway, so what runs
    // locally is what deploys.
    for (const route of routes) {
      const extras = routeExtras[route.handler];
      const environment = {
        ...databaseFunction.environment,
        ...extras?.environment,
        ...(route.scopes.includes('platform') && {
          PLATFORM_DATABASE_RESOURCE: 'DatabaseOperator',
        }),
      };
      api.route(
        `${route.method} ${route.path}`,
        {
          ...databaseFunction,
          handler: route.handler,
          environment,
          ...(route.scopes.includes('platform') && {
            link: [...databaseFunction.link, operatorDatabase],
          }),
          ...(extras && { permissions: extras.permissions }),
        },
        // Scopes keep out tokens that prove only who someone is (an ID token of the same issuer
        // and audience): each route lets through only the scopes its action needs.
        route.auth
          ? { auth: { jwt: { authorizer: authorizer.id, scopes: [...route.scopes] } } }
          : {},
      );
    }

    // The operator console: one document, its bundled script and its styles inline, with this
    // stage's API written into the page by the build (packages/console/build.ts) from the site's
    // environment. The page calls only the operator routes, which the JWT authorizer above
    // guards with the operator (or platform) scope like any other route; the operator pastes a
    // token from the stage's identity provider.
    // Its CDN adds the headers a meta policy cannot carry: no site may frame it.
    const { viewerResponseInjection } = await import('./packages/console/headers');
    const operatorConsole = new sst.aws.StaticSite('Console', {
      path: 'packages/console',
      build: { command: 'npm run build', output: 'dist' },
      environment: { CONSOLE_API_URL: api.url },
      edge: { viewerResponse: { injection: viewerResponseInjection() } },
    });

    // Alarms, so an operator hears of trouble from AWS rather than from a customer. They go to
    // one SNS topic, and its email subscription to the address set per stage
    // (`sst secret set AlarmEmail ops@example.com`); AWS asks that address to confirm once.
    const alarmEmail = new sst.Secret('AlarmEmail');
    const alarmTopic = new aws.sns.Topic('Alarms');
    new aws.sns.TopicSubscription('AlarmEmailSubscription', {
      topic: alarmTopic.arn,
      protocol: 'email',
      endpoint: alarmEmail.value,
    });
    const alarm = (name: string, args: Partial<aws.cloudwatch.MetricAlarmArgs>) =>
      new aws.cloudwatch.MetricAlarm(name, {
        comparisonOperator: 'GreaterThanThreshold',
        evaluationPeriods: 1,
        period: 60,
        threshold: 0,
        treatMissingData: 'notBreaching',
        alarmActions: [alarmTopic.arn],
        okActions: [alarmTopic.arn],
        ...args,
      });
    const relayMetric = { namespace: 'auditflow', dimensions: { service: 'auditflow-relay' } };
    // The relay reports its oldest pending event once per invocation. A relay that stops
    // reporting is as bad as one that falls behind, so missing data breaches too.
    alarm('RelayOldestPendingAlarm', {
      ...relayMetric,
      alarmDescription: 'An outbox event has waited longer than the threshold to be published.',
      metricName: 'OldestPendingAgeMs',
      statistic: 'Maximum',
      evaluationPeriods: 3,
      threshold: Number(process.env.ALARM_OLDEST_PENDING_SECONDS ?? 300) * 1_000,
      treatMissingData: 'breaching',
    });
    alarm('RelayDeadEventsAlarm', {
      ...relayMetric,
      alarmDescription: 'The relay gave up on an event: it is dead until an operator retries it.',
      metricName: 'EventsDead',
      statistic: 'Sum',
    });
    const relayFunctionName = relay.nodes.function.name;
    for (const metricName of ['Errors', 'Throttles']) {
      alarm(`Relay${metricName}Alarm`, {
        alarmDescription: `The relay Lambda reported ${metricName.toLowerCase()}.`,
        namespace: 'AWS/Lambda',
        metricName,
        dimensions: { FunctionName: relayFunctionName },
        statistic: 'Sum',
      });
    }
    for (const { id, queueName } of dlqs) {
      alarm(`${id}DlqAlarm`, {
        alarmDescription: `An event waits in the ${id} subscriber's dead-letter queue for a redrive.`,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queueName },
        statistic: 'Maximum',
      });
    }

    return {
      api: api.url,
      bus: bus.name,
      console: operatorConsole.url,
      subscriberDlqs,
      auditCheckpoints: auditCheckpoints.name,
    };
  },
});

/** `settle-ewa-on-run-paid` becomes `SettleEwaOnRunPaid`: SST names components in PascalCase. */
function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
