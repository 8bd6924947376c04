import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import type { PlannedEntry } from './waves';

/** Per-entry error codes worth retrying; anything else will not get better by itself. */
const RETRYABLE_CODES = new Set(['ThrottlingException', 'InternalFailure']);

export type EntryOutcome =
  | { kind: 'published'; planned: PlannedEntry }
  | { kind: 'failed'; planned: PlannedEntry; retryable: boolean; error: string };

/**
 * Sends one PutEvents request and returns an outcome per entry. EventBridge
 * answers 200 with per-entry failures; a failure of the whole request
 * (throttling, 5xx, timeout, network) fails every entry as retryable, except
 * a validation error, which no retry can fix.
 */
export async function putEvents(
  client: EventBridgeClient,
  request: PlannedEntry[],
): Promise<EntryOutcome[]> {
  let results: PutEventsResultEntry[];
  try {
    const response = await client.send(
      new PutEventsCommand({ Entries: request.map((planned) => planned.entry) }),
    );
    results = response.Entries ?? [];
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    const message = `${name}: ${(error as Error).message ?? String(error)}`;
    const retryable = name !== 'ValidationException';
    return request.map((planned) => ({ kind: 'failed', planned, retryable, error: message }));
  }
  return request.map((planned, index) => {
    const result = results[index];
    if (result?.EventId && !result.ErrorCode) return { kind: 'published', planned };
    const code = result?.ErrorCode ?? 'MissingResult';
    return {
      kind: 'failed',
      planned,
      retryable: RETRYABLE_CODES.has(code) || code === 'MissingResult',
      error: `${code}: ${result?.ErrorMessage ?? 'no result for this entry'}`,
    };
  });
}
