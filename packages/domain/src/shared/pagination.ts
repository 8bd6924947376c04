import { AppError, isUuid } from '@auditflow/core';
import { z } from 'zod';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=` of a list route; `limit` arrives as a string. */
export const pageQuery = {
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE),
  cursor: z.string().max(200, 'is not a valid cursor').optional(),
};

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Cursors are opaque to clients: the last id of a page (ids are UUIDv7, so
 * "before this id" is "older than this one"), base64url-encoded.
 */
export const encodeCursor = (lastId: string): string => Buffer.from(lastId).toString('base64url');

/** Throws `validation_failed` with the field path when the cursor is not one we issued. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id)) {
    throw new AppError('validation_failed', 'Invalid query', {
      issues: [{ path: ['query', 'cursor'], message: 'is not a valid cursor' }],
    });
  }
  return id.toLowerCase();
}

/** Turns `limit + 1` fetched rows into a page, so the next cursor needs no count query. */
export function toPage<Row extends { id: string }, T>(
  rows: Row[],
  limit: number,
  present: (row: Row) => T,
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(present),
    nextCursor: hasMore && last ? encodeCursor(last.id) : null,
  };
}
