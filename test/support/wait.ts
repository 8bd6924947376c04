import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` until it returns something truthy and returns that; throws
 * naming `what` when `timeoutMs` passes first. Generous timeouts and polling
 * keep tests steady on a slow, busy machine, where a fixed sleep is either
 * too short or wasteful.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  while (true) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`, { cause: lastError });
    }
    await sleep(options.intervalMs ?? 50);
  }
}
