import type { ParsedDeadLetter, RedrivableEvent } from './dlq-message';

/** One dead letter as its source holds it. */
export interface DeadLetter {
  /** The source's own id (an SQS message id, a dead-letter row id). */
  id: string;
  parsed: ParsedDeadLetter;
  /** When it was dead-lettered, if the source knows. */
  failedAt?: string | undefined;
}

/**
 * Where a subscriber's dead letters wait: its SQS dead-letter queue in AWS,
 * the dead-letter table locally. `receive` hands out letters not handed out
 * before in this run (an empty list when there are no more); `settle` is
 * called only after the letter's event was delivered, and removes it.
 */
export interface DeadLetterSource {
  readonly description: string;
  receive(): Promise<DeadLetter[]>;
  settle(letter: DeadLetter): Promise<void>;
}

/** What delivering an event again came to: only `delivered` settles the letter. */
export type Redelivery =
  | { delivered: true; outcome: string }
  | { delivered: false; reason: string };

export type Deliver = (event: RedrivableEvent) => Promise<Redelivery>;

export type RedriveResult =
  | { id: string; status: 'redriven'; eventId: string; detailType: string; outcome: string }
  | { id: string; status: 'failed'; eventId: string; detailType: string; reason: string }
  | { id: string; status: 'unreadable'; reason: string };

/** Every letter of the source, read and left where it is. */
export async function readDeadLetters(
  source: DeadLetterSource,
  max = 1_000,
): Promise<DeadLetter[]> {
  return receiveAll(source, max);
}

/**
 * Delivers each readable letter's event again, one at a time in the order
 * received, and settles (removes) a letter only once its delivery succeeded:
 * a failed delivery or an unreadable letter stays for the next look.
 * Subscribers dedupe by their inbox, so an event delivered before (a letter
 * whose removal failed, a duplicate message) changes nothing twice.
 */
export async function redriveDeadLetters(
  source: DeadLetterSource,
  deliver: Deliver,
  max = 1_000,
): Promise<RedriveResult[]> {
  const results: RedriveResult[] = [];
  for (const letter of await receiveAll(source, max)) {
    const { parsed } = letter;
    if (parsed.shape === 'unreadable') {
      results.push({ id: letter.id, status: 'unreadable', reason: parsed.reason });
      continue;
    }
    const about = {
      id: letter.id,
      eventId: eventIdOf(parsed.event),
      detailType: parsed.event['detail-type'],
    };
    let redelivery: Redelivery;
    try {
      redelivery = await deliver(parsed.event);
    } catch (error) {
      redelivery = {
        delivered: false,
        reason: error instanceof Error ? error.message : String(error),
      };
    }
    if (!redelivery.delivered) {
      results.push({ ...about, status: 'failed', reason: redelivery.reason });
      continue;
    }
    try {
      await source.settle(letter);
    } catch (error) {
      // Delivered, so a later redrive of it finds the receipt and changes nothing.
      const why = error instanceof Error ? error.message : String(error);
      results.push({ ...about, status: 'failed', reason: `delivered, but not removed: ${why}` });
      continue;
    }
    results.push({ ...about, status: 'redriven', outcome: redelivery.outcome });
  }
  return results;
}

async function receiveAll(source: DeadLetterSource, max: number): Promise<DeadLetter[]> {
  const seen = new Map<string, DeadLetter>();
  while (seen.size < max) {
    const batch = await source.receive();
    const fresh = batch.filter((letter) => !seen.has(letter.id));
    if (fresh.length === 0) break;
    for (const letter of fresh.slice(0, max - seen.size)) seen.set(letter.id, letter);
  }
  return [...seen.values()];
}

/** The outbox event's id (what subscribers dedupe on), else EventBridge's own. */
function eventIdOf(event: RedrivableEvent): string {
  const detailId = (event.detail as { id?: unknown } | null)?.id;
  return typeof detailId === 'string' ? detailId : event.id;
}
