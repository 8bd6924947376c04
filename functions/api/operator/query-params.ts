import { z } from 'zod';

/** A whole number from the query string, within bounds, `fallback` when absent. */
export const wholeParam = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

/** The throughput window: by default the last hour in minutes; at most 240 buckets, so one answer stays small. */
export const throughputWindowParams = {
  bucketSeconds: wholeParam(1, 86_400, 60),
  buckets: wholeParam(1, 240, 60),
};

/** How many dead events one answer lists, oldest first. */
export const deadLimitParam = wholeParam(1, 100, 100);
