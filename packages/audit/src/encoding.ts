import { hash } from 'node:crypto';

/**
 * The chain's encoding, version 1 (docs/audit-verification.md). A row's
 * content is the text Postgres renders for a jsonb array of the row's fixed
 * fields; an entry's hash covers the encoding, the tenant, its position, its
 * row, the content hash and the previous entry's hash. The sealing function
 * of migration 0015 computes the same bytes in SQL; the verifier rebuilds
 * them here from the columns, so a changed function in the database cannot
 * change what verifying means.
 */
export const CHAIN_ENCODING = 'auditflow.chain.v1';

/** The predecessor of every chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export type EntryKind = 'audit' | 'event' | 'transition';

/** A content field: a string, SQL NULL, or a jsonb column's text as Postgres renders it. */
export type ContentField = string | null | { jsonb: string };

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what needs escaping
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * A JSON string as Postgres's jsonb output writes it: `"` and `\` escaped,
 * the five short control escapes, other characters below U+0020 as `\u00xx`
 * (lower-case hex), everything else as is (UTF-8).
 */
export function jsonbString(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return `"${value}"`;
  let out = '"';
  for (const char of value) {
    const short = SHORT_ESCAPES[char];
    if (short) out += short;
    else if (char < ' ') out += `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** The content text of a row: a jsonb array of its fields, rendered as Postgres renders one. */
export function contentText(version: string, fields: readonly ContentField[]): string {
  let out = `[${jsonbString(version)}`;
  for (const field of fields) {
    out += ', ';
    if (field === null) out += 'null';
    else if (typeof field === 'string') out += jsonbString(field);
    else out += field.jsonb;
  }
  return `${out}]`;
}

/** Lower-case hex SHA-256 of the UTF-8 bytes of `text`. */
export function sha256Hex(text: string): string {
  // One-shot: a third cheaper than a createHash object per row, which verify feels.
  return hash('sha256', text, 'hex');
}

export interface LinkInput {
  tenantId: string;
  seq: number;
  kind: EntryKind;
  rowId: string;
  contentHash: string;
  prevHash: string;
}

/** What an entry's hash covers, one field per line (only the tenant could hold a newline, and it comes second). */
export function linkText(entry: LinkInput): string {
  return `${CHAIN_ENCODING}\n${entry.tenantId}\n${entry.seq}\n${entry.kind}\n${entry.rowId}\n${entry.contentHash}\n${entry.prevHash}`;
}

export function linkHash(entry: LinkInput): string {
  return sha256Hex(linkText(entry));
}
