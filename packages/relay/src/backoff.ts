export interface RetryPolicy {
  /** Claims of one event before it goes to dead. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter: a random delay up to
 * base * 2^(attempt-1), capped. Jitter spreads the retries of a throttled
 * burst so they do not come back as one burst.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * random());
}
