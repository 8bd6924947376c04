/**
 * Network errors that mean the server cannot be reached or went away. They
 * say nothing about the request itself, so the same request may succeed once
 * the database is back.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is shutting down, crashed, starting up or in
 * recovery (57P01-57P03), and of the connection exception class (08xxx).
 */
const UNAVAILABLE_SQLSTATE = /^(57P0[123]|08[0-9A-Z]{3})$/;

/**
 * What pg says, without a code, when a connection ends, cannot be opened in
 * time, or is used after it broke (Kysely's ROLLBACK after a lost
 * connection fails with the last of these, hiding the original error).
 */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout expired$/,
  /^timeout exceeded when trying to connect$/,
  /^Query read timeout$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
];

/**
 * Whether `error` means the database is unreachable or lost the connection
 * (refused, reset, terminated, shutting down, starting up, connect timeout),
 * rather than that the statement was wrong. Looks through `cause` chains and
 * the members of an AggregateError (a host name with several addresses).
 * Such a failure is worth retrying later; nothing about it is the caller's
 * fault.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (candidate: unknown): boolean => {
    if (!(candidate instanceof Error) || seen.has(candidate) || seen.size > 8) return false;
    seen.add(candidate);
    const code = (candidate as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) {
      return true;
    }
    if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(candidate.message))) return true;
    if (candidate instanceof AggregateError && candidate.errors.some(visit)) return true;
    return visit(candidate.cause);
  };
  return visit(error);
}
