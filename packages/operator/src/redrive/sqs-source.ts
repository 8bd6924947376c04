import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseDeadLetter } from './dlq-message';
import type { DeadLetter, DeadLetterSource } from './redrive';

/**
 * A subscriber's SQS dead-letter queue as a DeadLetterSource. Receiving hides
 * a message for `visibilityTimeoutSeconds` (SQS has no way to look without
 * receiving), long enough for one run to see each message once; whatever is
 * not deleted becomes visible again by itself. Deleting uses the receipt
 * handle of this run's receive.
 */
export function sqsDeadLetterSource(options: {
  queueUrl: string;
  client?: SQSClient;
  visibilityTimeoutSeconds?: number;
}): DeadLetterSource {
  const client = options.client ?? new SQSClient({});
  const receipts = new Map<string, string>();
  return {
    description: options.queueUrl,
    async receive() {
      const answer = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: 10,
          // Short: an empty answer ends the run, it does not wait for new messages.
          WaitTimeSeconds: 1,
          VisibilityTimeout: options.visibilityTimeoutSeconds ?? 60,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      return (answer.Messages ?? []).flatMap((message): DeadLetter[] => {
        if (!message.MessageId || !message.ReceiptHandle) return [];
        receipts.set(message.MessageId, message.ReceiptHandle);
        const attributes = Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            value.StringValue,
          ]),
        );
        const sent = Number(message.Attributes?.SentTimestamp);
        return [
          {
            id: message.MessageId,
            parsed: parseDeadLetter(message.Body ?? '', attributes),
            failedAt: Number.isFinite(sent) ? new Date(sent).toISOString() : undefined,
          },
        ];
      });
    },
    async settle(letter) {
      const receiptHandle = receipts.get(letter.id);
      if (!receiptHandle) throw new Error(`message ${letter.id} was not received in this run`);
      await client.send(
        new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: receiptHandle }),
      );
    },
  };
}
