import { z } from 'zod';

/** Which aggregate a command targets, and the version the caller expects (If-Match). */
export interface Target {
  id: string;
  expectedVersion?: number | null;
}

/** The body of a command that takes none: absent, or an empty object. */
export const noInput = z.strictObject({});
