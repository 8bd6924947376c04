import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A message as the fake queue holds it. */
export interface FakeMessage {
  body: string;
  attributes?: Record<string, string>;
}

/**
 * The few SQS and Lambda calls a redrive makes, answered on 127.0.0.1 in
 * their wire formats (SQS's JSON protocol, Lambda's Invoke), so the real
 * clients talk to it through AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_LAMBDA.
 * A received message stays hidden until deleted, as for one visibility
 * timeout; an invoke calls `invoke` with the payload.
 */
export async function startFakeAws(options: {
  messages: FakeMessage[];
  invoke(
    functionName: string,
    payload: unknown,
  ): Promise<{ payload: unknown; functionError?: string }>;
}) {
  const queue = options.messages.map((message, index) => ({
    ...message,
    id: `message-${index + 1}`,
    receipt: `receipt-${index + 1}-${Date.now()}`,
    hidden: false,
    deleted: false,
  }));
  const invocations: { functionName: string; payload: unknown; type: string | undefined }[] = [];
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...headers });
      response.end(JSON.stringify(value));
    };
    const invoked = request.url?.match(/^\/2015-03-31\/functions\/([^/]+)\/invocations/);
    if (invoked?.[1]) {
      const functionName = decodeURIComponent(invoked[1]);
      const payload = JSON.parse(body);
      invocations.push({
        functionName,
        payload,
        type: request.headers['x-amz-invocation-type'] as string,
      });
      const answer = await options.invoke(functionName, payload);
      response.writeHead(200, {
        'content-type': 'application/json',
        ...(answer.functionError ? { 'x-amz-function-error': answer.functionError } : {}),
      });
      response.end(JSON.stringify(answer.payload));
      return;
    }
    const target = request.headers['x-amz-target'];
    const input = JSON.parse(body || '{}');
    if (target === 'AmazonSQS.ReceiveMessage') {
      const visible = queue
        .filter((message) => !message.hidden && !message.deleted)
        .slice(0, input.MaxNumberOfMessages ?? 1);
      for (const message of visible) message.hidden = true;
      json(200, {
        Messages: visible.map((message) => ({
          MessageId: message.id,
          ReceiptHandle: message.receipt,
          MD5OfBody: createHash('md5').update(message.body).digest('hex'),
          Body: message.body,
          Attributes: { SentTimestamp: String(Date.parse('2026-11-30T09:03:12Z')) },
          MessageAttributes: Object.fromEntries(
            Object.entries(message.attributes ?? {}).map(([name, value]) => [
              name,
              { StringValue: value, DataType: 'String' },
            ]),
          ),
        })),
      });
      return;
    }
    if (target === 'AmazonSQS.DeleteMessage') {
      const message = queue.find((candidate) => candidate.receipt === input.ReceiptHandle);
      if (message) message.deleted = true;
      json(200, {});
      return;
    }
    json(400, {
      __type: 'com.amazonaws.sqs#InvalidAction',
      message: `unexpected ${String(target)}`,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    invocations,
    /** The messages still in the queue, by id. */
    remaining: () => queue.filter((message) => !message.deleted).map((message) => message.id),
    /** Their visibility timeout has passed: everything not deleted is visible again. */
    reveal: () => {
      for (const message of queue) message.hidden = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
