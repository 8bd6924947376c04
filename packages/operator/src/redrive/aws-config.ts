/** `settle-ewa-on-run-paid` becomes `SETTLE_EWA_ON_RUN_PAID`, for an environment variable's name. */
export const envSuffix = (subscriber: string) =>
  subscriber.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();

/** Where a subscriber's dead letters wait in AWS, and which function takes them again. */
export interface SubscriberDlqConfig {
  queueUrl: string;
  /** Needed to redrive, not to list. */
  functionName: string | undefined;
}

/**
 * The AWS side of a subscriber, from `SUBSCRIBER_DLQ_URL_<NAME>` and
 * `SUBSCRIBER_FUNCTION_<NAME>` (`sst deploy` prints both, as the output
 * `subscriberDlqs`); undefined when the queue's is not set, which means the
 * local dead letters.
 */
export function subscriberDlqConfig(
  subscriber: string,
  env: NodeJS.ProcessEnv = process.env,
): SubscriberDlqConfig | undefined {
  const suffix = envSuffix(subscriber);
  const queueUrl = env[`SUBSCRIBER_DLQ_URL_${suffix}`];
  if (!queueUrl) return undefined;
  return { queueUrl, functionName: env[`SUBSCRIBER_FUNCTION_${suffix}`] || undefined };
}
