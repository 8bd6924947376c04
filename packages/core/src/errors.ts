/**
 * The one error taxonomy. Each code is stable (clients may branch on it) and
 * belongs to exactly one kind; the HTTP layer maps kinds to status codes in a
 * single place. Anything that is not an AppError is an internal error.
 */
export const ERROR_CODES = {
  validation_failed: 'bad_request',
  malformed_json: 'bad_request',
  invalid_header: 'bad_request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  segregation_of_duties: 'forbidden',
  not_found: 'not_found',
  invalid_transition: 'conflict',
  /** The command would take a ledger balance past its limit (an employee's outstanding advances). */
  limit_exceeded: 'conflict',
  version_mismatch: 'precondition_failed',
  payload_too_large: 'payload_too_large',
  unsupported_media_type: 'unsupported_media_type',
  idempotency_key_reused: 'unprocessable',
  /** The database cannot be reached; nothing was written, and the same request may be sent again. */
  database_unavailable: 'unavailable',
  /**
   * The connection was lost while the write committed, so whether it did is
   * unknown. A retry with the same Idempotency-Key answers with the committed
   * result if it did, and writes it if it did not.
   */
  commit_outcome_unknown: 'unavailable',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export type ErrorKind = (typeof ERROR_CODES)[ErrorCode];

/** One invalid field: a path into the input (`["body","currency"]`) and why. */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

/** An expected failure with a stable code and a message safe to show a client. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly issues: FieldIssue[] | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: FieldIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.kind = ERROR_CODES[code];
    this.issues = options.issues;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);

/**
 * A bug, not bad input: the write unit was asked to append an event that does
 * not match its schema. Never shown to a client in detail.
 */
export class EventSchemaViolation extends Error {
  readonly issues: FieldIssue[];

  constructor(eventType: string, issues: FieldIssue[]) {
    super(`event ${eventType} does not match its schema: ${JSON.stringify(issues)}`);
    this.name = 'EventSchemaViolation';
    this.issues = issues;
  }
}
