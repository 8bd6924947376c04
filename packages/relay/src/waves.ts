import type { OutboxRow } from '@auditflow/db';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { aggregateKey } from './aggregate-key';
import { MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES } from './envelope';

export interface PlannedEntry {
  row: OutboxRow;
  entry: PutEventsRequestEntry;
  size: number;
}

/**
 * Splits claimed rows into waves of PutEvents requests. Wave k holds the k-th
 * event of each aggregate, so an aggregate's version n+1 is sent only after
 * version n was accepted; the requests of one wave (at most 10 entries and
 * 256 KB each) can go out in parallel. Rows must come in version order per
 * aggregate (claim returns them so).
 */
export function planWaves(entries: PlannedEntry[]): PlannedEntry[][][] {
  const depth = new Map<string, number>();
  const waves: PlannedEntry[][] = [];
  for (const planned of entries) {
    const key = aggregateKey(planned.row);
    const index = depth.get(key) ?? 0;
    depth.set(key, index + 1);
    const wave = waves[index] ?? [];
    wave.push(planned);
    waves[index] = wave;
  }
  return waves.map(toRequests);
}

function toRequests(wave: PlannedEntry[]): PlannedEntry[][] {
  const requests: PlannedEntry[][] = [];
  let current: PlannedEntry[] = [];
  let bytes = 0;
  for (const planned of wave) {
    if (current.length === MAX_ENTRIES_PER_REQUEST || bytes + planned.size > MAX_REQUEST_BYTES) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(planned);
    bytes += planned.size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
