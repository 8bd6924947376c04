import { z } from 'zod';

/**
 * An object with no fields that refuses any it is sent: the body of a command
 * that takes none, the query of a route that takes none.
 */
export const emptyObject = z.strictObject({});
