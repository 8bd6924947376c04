import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Deliver } from './redrive';

/** What a subscriber's handler answers when it took the event: processed now, or before. */
const DELIVERED_OUTCOMES = new Set(['processed', 'duplicate']);

/**
 * Delivers an event again by invoking the subscriber's Lambda with it,
 * synchronously (RequestResponse), as EventBridge would have asynchronously.
 * Delivered means the handler returned `processed` or `duplicate`; a
 * function error, or `dead-lettered` (it refused the event's schema and kept
 * it in the dead-letter table), is not.
 */
export function lambdaDelivery(options: { functionName: string; client?: LambdaClient }): Deliver {
  const client = options.client ?? new LambdaClient({});
  return async (event) => {
    const answer = await client.send(
      new InvokeCommand({
        FunctionName: options.functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
    );
    const text = answer.Payload ? new TextDecoder().decode(answer.Payload) : '';
    const payload = parseJson(text);
    if (answer.FunctionError) {
      const message = (payload as { errorMessage?: unknown } | undefined)?.errorMessage;
      return {
        delivered: false,
        reason: `${answer.FunctionError} error: ${typeof message === 'string' ? message : text}`,
      };
    }
    if (typeof payload === 'string' && DELIVERED_OUTCOMES.has(payload)) {
      return { delivered: true, outcome: payload };
    }
    return { delivered: false, reason: `the subscriber answered ${text || '(nothing)'}` };
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
