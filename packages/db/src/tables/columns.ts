import type { ColumnType, Generated } from 'kysely';

/** An ISO 8601 instant; the pool parses timestamptz to this form (see pool.ts). */
export type Timestamp = ColumnType<string, string | undefined, string>;
/** An ISO calendar date, `YYYY-MM-DD`, exactly as Postgres stores it. */
export type CalendarDate = string;
/** A transaction id (xid8), stamped by the database on insert. */
export type TransactionId = Generated<string>;
/** JSON as stored in a jsonb column. */
export type Json = ColumnType<unknown, string, string>;
