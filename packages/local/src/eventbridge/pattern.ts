import type { EventPattern } from '@auditflow/events';

/** An event as EventBridge hands it to a target. */
export interface EventBridgeTargetEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/**
 * Whether an event matches a pattern, for the subset of EventBridge's pattern
 * syntax this project declares: `source` and `detailType` are lists of exact
 * values; `detail` maps each field to a list of exact values, or to a nested
 * pattern object for a nested field. Every key given must match (AND); any
 * value in a list may (OR). Prefix, numeric, exists and anything-but
 * matching are not supported: a pattern using them matches nothing here.
 */
export function matchesPattern(pattern: EventPattern, event: EventBridgeTargetEvent): boolean {
  if (pattern.source && !pattern.source.includes(event.source)) return false;
  if (pattern.detailType && !pattern.detailType.includes(event['detail-type'])) return false;
  if (pattern.detail && !matchesFields(pattern.detail, event.detail)) return false;
  return true;
}

function matchesFields(pattern: Record<string, unknown>, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = Object.hasOwn(record, key) ? record[key] : undefined;
    if (Array.isArray(expected)) {
      return expected.some((candidate) => typeof candidate !== 'object' && candidate === actual);
    }
    if (typeof expected === 'object' && expected !== null) {
      return matchesFields(expected as Record<string, unknown>, actual);
    }
    return false;
  });
}
