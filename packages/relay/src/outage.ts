import { isDatabaseUnavailable } from '@auditflow/db';
import type { RelayTelemetry } from './relay';

/** Retrying against a database that is down starts at this and doubles up to OUTAGE_MAX_DELAY_MS. */
const OUTAGE_FIRST_DELAY_MS = 100;
/** Short enough that the relay is back within a few seconds of the database. */
const OUTAGE_MAX_DELAY_MS = 2_000;

/**
 * One relay's view of database outages: the start of an outage is reported
 * once, however many attempts fail during it, and so is its end, with how
 * long it lasted. Tells the relay how long to wait before the next attempt.
 */
export function createOutageTracker(telemetry: RelayTelemetry) {
  let since: number | undefined;
  let delayMs = OUTAGE_FIRST_DELAY_MS;
  return {
    /** Whether the last attempt found the database unavailable. */
    get down(): boolean {
      return since !== undefined;
    },
    /**
     * Records a failed attempt. Returns the milliseconds to wait before the
     * next one when the database is unavailable, or undefined when the
     * failure is something else (which the caller rethrows).
     */
    failed(error: unknown): number | undefined {
      if (!isDatabaseUnavailable(error)) return undefined;
      if (since === undefined) {
        since = Date.now();
        telemetry.warn('database unavailable; the relay retries until it is back', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      const wait = delayMs;
      delayMs = Math.min(delayMs * 2, OUTAGE_MAX_DELAY_MS);
      return wait;
    },
    /** Records a successful attempt, reporting the end of an outage if there was one. */
    succeeded(): void {
      delayMs = OUTAGE_FIRST_DELAY_MS;
      if (since === undefined) return;
      const outageMs = Date.now() - since;
      since = undefined;
      telemetry.info(`database available again, after ${outageMs} ms`, { outageMs });
    },
  };
}

export type OutageTracker = ReturnType<typeof createOutageTracker>;
