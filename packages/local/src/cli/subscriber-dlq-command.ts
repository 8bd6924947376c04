import { closeDb, type DB } from '@auditflow/db';
import { subscriptions } from '@auditflow/functions';
import {
  type DeadLetter,
  type DeadLetterSource,
  type Deliver,
  envSuffix,
  lambdaDelivery,
  type RedriveResult,
  readDeadLetters,
  redriveDeadLetters,
  sqsDeadLetterSource,
  subscriberDlqConfig,
} from '@auditflow/operator/redrive';
import type { Kysely } from 'kysely';
import { handlerDelivery } from '../dead-letters/handler-delivery';
import { localDeadLetterSource } from '../dead-letters/local-source';
import type { CommandIo } from './requeue-command';

export interface SubscriberDlqOptions {
  action: string | undefined;
  subscriber: string | undefined;
  json: boolean;
  env: NodeJS.ProcessEnv;
  /** Repository root, against which handler paths resolve. */
  root: string;
  /** The operator's database, opened only for the local dead letters. */
  operatorDb(): Promise<Kysely<DB>>;
  /** What a subscriber's handler connects with, for a local redrive. */
  subscriberDatabaseUrl(): Promise<string>;
  io: CommandIo;
}

/**
 * `subscriber-dlq list|redrive --subscriber <name>`: a subscriber's dead
 * letters, from its SQS queue when SUBSCRIBER_DLQ_URL_<NAME> is set, else
 * the local ones. A redrive delivers each event again (to the Lambda named by
 * SUBSCRIBER_FUNCTION_<NAME>, or locally to the handler) and removes a letter
 * only once that succeeded. Exit codes: 0 done, 1 some letters stayed
 * (failed or unreadable), 2 bad input.
 */
export async function runSubscriberDlq(options: SubscriberDlqOptions): Promise<number> {
  const { io } = options;
  const names = subscriptions.map((subscription) => subscription.name);
  if (options.action !== 'list' && options.action !== 'redrive') {
    io.err('subscriber-dlq needs list or redrive');
    return 2;
  }
  const subscription = subscriptions.find((candidate) => candidate.name === options.subscriber);
  if (!subscription) {
    io.err(`subscriber-dlq needs --subscriber, one of: ${names.join(', ')}`);
    return 2;
  }
  const aws = subscriberDlqConfig(subscription.name, options.env);
  let source: DeadLetterSource;
  let deliver: () => Promise<Deliver>;
  let cleanup = async () => {};
  if (aws) {
    source = sqsDeadLetterSource({ queueUrl: aws.queueUrl });
    const functionName = aws.functionName;
    deliver = async () => {
      if (!functionName) {
        throw new UsageError(
          `redrive needs SUBSCRIBER_FUNCTION_${envSuffix(subscription.name)}, the subscriber's Lambda`,
        );
      }
      return lambdaDelivery({ functionName });
    };
  } else {
    const db = await options.operatorDb();
    source = localDeadLetterSource(db, subscription.name);
    deliver = async () => {
      // The handler finds its database as in Lambda: from the environment.
      process.env.DATABASE_URL = await options.subscriberDatabaseUrl();
      cleanup = closeDb;
      return handlerDelivery(subscription, options.root);
    };
  }
  try {
    if (options.action === 'list') {
      const letters = await readDeadLetters(source);
      if (options.json) io.out(JSON.stringify(letters));
      else {
        for (const letter of letters) io.out(describeLetter(letter));
        io.out(`${letters.length} dead letter(s) in ${source.description}`);
      }
      return 0;
    }
    const results = await redriveDeadLetters(source, await deliver());
    if (options.json) io.out(JSON.stringify(results));
    else {
      for (const result of results) io.out(describeResult(result));
      const count = (status: RedriveResult['status']) =>
        results.filter((result) => result.status === status).length;
      io.out(
        `redriven ${count('redriven')}, failed ${count('failed')} (left in place), ` +
          `unreadable ${count('unreadable')} (left in place), from ${source.description}`,
      );
    }
    return results.every((result) => result.status === 'redriven') ? 0 : 1;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message);
    return 2;
  } finally {
    await cleanup();
  }
}

class UsageError extends Error {}

function describeLetter(letter: DeadLetter): string {
  const { parsed } = letter;
  const when = letter.failedAt ?? '';
  if (parsed.shape === 'unreadable') return `${letter.id}  ${when}  unreadable  ${parsed.reason}`;
  const eventId = (parsed.event.detail as { id?: unknown } | null)?.id ?? parsed.event.id;
  return `${letter.id}  ${when}  ${parsed.event['detail-type']}  ${String(eventId)}  ${parsed.failure}`;
}

function describeResult(result: RedriveResult): string {
  switch (result.status) {
    case 'redriven':
      return `${result.id}  redriven (${result.outcome})  ${result.detailType}  ${result.eventId}`;
    case 'failed':
      return `${result.id}  failed, left in place  ${result.detailType}  ${result.eventId}  ${result.reason}`;
    case 'unreadable':
      return `${result.id}  unreadable, left in place  ${result.reason}`;
  }
}
