/**
 * At most `limit` tasks at once, the rest waiting in arrival order. One
 * limiter is shared by all of a relay's passes: while one pass claims or
 * marks rows, the others' requests take its slots, so the relay keeps its
 * PutEvents slots busy instead of each pass idling its own. A dozen lines,
 * so no dependency for it.
 */
export function createLimiter(limit: number) {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`A limiter needs a whole number of slots, at least 1; got ${limit}`);
  }
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, which never counts itself in.
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

export type Limiter = ReturnType<typeof createLimiter>;
