import { z } from 'zod';

/** An EventBridge event as a target receives it: what a redrive delivers again. */
const eventBridgeEvent = z.looseObject({
  version: z.string(),
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  time: z.string(),
  detail: z.unknown(),
});
export type RedrivableEvent = z.infer<typeof eventBridgeEvent>;

/** Lambda's on-failure destination record of an asynchronous invocation. */
const invocationRecord = z.object({
  version: z.string(),
  timestamp: z.string(),
  requestContext: z.object({
    requestId: z.string(),
    functionArn: z.string(),
    condition: z.string(),
    approximateInvokeCount: z.number(),
  }),
  requestPayload: z.unknown(),
  responseContext: z.looseObject({ functionError: z.string().optional() }).optional(),
  responsePayload: z.unknown().optional(),
});

/** What a dead-letter message says: the event to deliver again and why it failed, or why it cannot be read. */
export type ParsedDeadLetter =
  | { shape: 'eventbridge' | 'lambda-failure'; event: RedrivableEvent; failure: string }
  | { shape: 'unreadable'; reason: string };

/**
 * Reads a subscriber's dead-letter message, which comes in one of two
 * shapes (both land in the same queue, see sst.config.ts):
 * - EventBridge could not hand the event to the function: the body is the
 *   event itself, the attributes ERROR_CODE and ERROR_MESSAGE say why;
 * - the function kept failing: Lambda's on-failure record, the event as its
 *   `requestPayload`, the error in `responsePayload`.
 * Anything else is unreadable and is left where it is. Pure.
 */
export function parseDeadLetter(
  body: string,
  attributes: Readonly<Record<string, string | undefined>> = {},
): ParsedDeadLetter {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { shape: 'unreadable', reason: 'the body is not JSON' };
  }
  const record = invocationRecord.safeParse(json);
  if (record.success) {
    const event = eventBridgeEvent.safeParse(record.data.requestPayload);
    if (!event.success) {
      return {
        shape: 'unreadable',
        reason: 'a Lambda failure record whose payload is no EventBridge event',
      };
    }
    const { condition, approximateInvokeCount } = record.data.requestContext;
    return {
      shape: 'lambda-failure',
      event: event.data,
      failure: `${condition} after ${approximateInvokeCount} invocation(s)${describeError(record.data.responsePayload)}`,
    };
  }
  const event = eventBridgeEvent.safeParse(json);
  if (event.success) {
    const code = attributes.ERROR_CODE;
    const message = attributes.ERROR_MESSAGE;
    const failure =
      code && message ? `${code}: ${message}` : (message ?? code ?? 'no reason given');
    return { shape: 'eventbridge', event: event.data, failure };
  }
  return {
    shape: 'unreadable',
    reason: 'neither an EventBridge event nor a Lambda failure record',
  };
}

function describeError(payload: unknown): string {
  const error = z
    .object({ errorType: z.string().optional(), errorMessage: z.string().optional() })
    .safeParse(payload);
  if (!error.success || (!error.data.errorType && !error.data.errorMessage)) return '';
  return `: ${[error.data.errorType, error.data.errorMessage].filter(Boolean).join(': ')}`;
}
