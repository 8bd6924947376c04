import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../packages/relay/src/limiter';

const tick = () => sleep(1);

describe('the request limiter', () => {
  it('runs at most its limit at once and starts the waiting ones in arrival order', async () => {
    const run = createLimiter(2);
    let active = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        run(async () => {
          started.push(i);
          active++;
          most = Math.max(most, active);
          await tick();
          active--;
          return i * 10;
        }),
      ),
    );
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('frees the slot of a task that fails, and passes its error on', async () => {
    const run = createLimiter(1);
    await expect(run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(run(async () => 'next')).resolves.toBe('next');
    // Still one at a time after the failure.
    let active = 0;
    let most = 0;
    await Promise.all(
      [1, 2, 3].map(() =>
        run(async () => {
          most = Math.max(most, ++active);
          await tick();
          active--;
        }),
      ),
    );
    expect(most).toBe(1);
  });

  it('hands the slot of a failing task to the one waiting behind it', async () => {
    const run = createLimiter(1);
    let fail: (error: Error) => void = () => {};
    const failing = run(() => new Promise<never>((_, reject) => (fail = reject)));
    const waiting = run(async () => 'ran');
    await tick();
    fail(new Error('boom'));
    await expect(failing).rejects.toThrow('boom');
    await expect(waiting).resolves.toBe('ran');
  });

  it('refuses a limit that would never let a task run', () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
    expect(() => createLimiter(Number.NaN)).toThrow(RangeError);
    expect(() => createLimiter(1.5)).toThrow(RangeError);
  });
});
