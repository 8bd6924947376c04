import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one Powertools Logger of the API: level, service name and the Lambda
 * context (request id, cold start), which the handler stack injects per
 * invocation. `POWERTOOLS_LOG_LEVEL` sets the level (SILENT in tests).
 */
export const powertoolsLogger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'auditflow-api',
});

type Keys = Record<string, unknown>;
/** What a line may add: attributes, or the error it reports (under `error`, as Powertools puts it). */
type Extra = Keys | Error;

/**
 * The keys one invocation appended (correlation id, route, tenant, actor),
 * kept with the invocation rather than on the shared Logger: a Lambda runs
 * one invocation at a time, but the local gateway runs many at once in one
 * process, and keys appended to a shared Logger would then end up on another
 * request's lines.
 */
const invocationKeys = new AsyncLocalStorage<Keys>();

/**
 * Runs one invocation with keys of its own; every line `logger` writes in it
 * carries them. Its request id is one of them: the Lambda context on the
 * shared Logger is the latest invocation's, which locally may be another's.
 */
export function withInvocationKeys<T>(context: { awsRequestId: string }, run: () => T): T {
  return invocationKeys.run({ function_request_id: context.awsRequestId }, run);
}

const withKeys = (extra?: Extra): Keys[] => [
  invocationKeys.getStore() ?? {},
  ...(extra === undefined ? [] : [extra instanceof Error ? { error: extra } : extra]),
];

/**
 * Structured JSON logs for the API. Every line of a request carries its
 * correlation id, which the write unit also stores with the audit row and the
 * outbox event, so one id follows a request to every subscriber.
 */
export const logger = {
  /** Adds keys to every later line of this invocation (of the process, outside one). */
  appendKeys(attributes: Keys): void {
    const current = invocationKeys.getStore();
    if (current) Object.assign(current, attributes);
    else powertoolsLogger.appendKeys(attributes);
  },
  info: (message: string, extra?: Extra) => powertoolsLogger.info(message, ...withKeys(extra)),
  warn: (message: string, extra?: Extra) => powertoolsLogger.warn(message, ...withKeys(extra)),
  error: (message: string, extra?: Extra) => powertoolsLogger.error(message, ...withKeys(extra)),
};
