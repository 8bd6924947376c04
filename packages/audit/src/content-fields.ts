import type { EntryKind } from './encoding';

/**
 * The fixed field lists of encoding v1, in order, as SQL over the history
 * tables: each renders a column the way the content text takes it (text as
 * is, integers and ids as their text, instants in UTC at microseconds, jsonb
 * as Postgres renders it). Only built-in functions, so what a verifier reads
 * does not depend on anything the schema's owner could redefine.
 */
export interface ContentSpec {
  /** The first element of the content array: kind and version of the encoding. */
  version: string;
  table: 'audit_log' | 'state_transitions' | 'outbox';
  /** The column naming the aggregate, for one entity's history. */
  entityColumn: string;
  /** `column` names a jsonb field's column, for rendering the array inside Postgres. */
  fields: readonly { sql: string; jsonb?: true; column?: string }[];
  /** Rows of the table that are not history (checkpoint events). */
  exclude?: string;
}

const instant = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const CONTENT: Record<EntryKind, ContentSpec> = {
  audit: {
    version: 'auditflow.audit.v1',
    table: 'audit_log',
    entityColumn: 'entity_id',
    fields: [
      { sql: 'id::text' },
      { sql: 'tenant_id' },
      { sql: 'actor' },
      { sql: 'action' },
      { sql: 'entity_type' },
      { sql: 'entity_id::text' },
      { sql: 'entity_version::text' },
      { sql: 'before::text', jsonb: true, column: 'before' },
      { sql: 'after::text', jsonb: true, column: 'after' },
      { sql: instant('occurred_at') },
      { sql: 'correlation_id' },
      { sql: 'causation_id' },
      { sql: 'txid::text' },
    ],
  },
  transition: {
    version: 'auditflow.transition.v1',
    table: 'state_transitions',
    entityColumn: 'aggregate_id',
    fields: [
      { sql: 'id::text' },
      { sql: 'tenant_id' },
      { sql: 'aggregate_type' },
      { sql: 'aggregate_id::text' },
      { sql: 'version::text' },
      { sql: 'command' },
      { sql: 'from_status' },
      { sql: 'to_status' },
      { sql: 'actor' },
      { sql: instant('occurred_at') },
      { sql: 'correlation_id' },
      { sql: 'audit_id::text' },
      { sql: 'outbox_id::text' },
      { sql: 'txid::text' },
    ],
  },
  event: {
    version: 'auditflow.event.v1',
    table: 'outbox',
    entityColumn: 'aggregate_id',
    fields: [
      { sql: 'id::text' },
      { sql: 'tenant_id' },
      { sql: 'aggregate_type' },
      { sql: 'aggregate_id::text' },
      { sql: 'aggregate_version::text' },
      { sql: 'event_type' },
      { sql: 'payload::text', jsonb: true, column: 'payload' },
      { sql: instant('occurred_at') },
      { sql: 'correlation_id' },
      { sql: 'causation_id' },
      { sql: 'actor' },
      { sql: 'txid::text' },
    ],
    exclude: `aggregate_type = 'audit_chain'`,
  },
};

export const ENTRY_KINDS: readonly EntryKind[] = ['audit', 'event', 'transition'];

/**
 * The content hash computed by Postgres itself, from the same fields with
 * built-in functions only (jsonb_build_array, to_char, sha256): what the
 * sealer hashed, recomputed where the rows are, so that verifying does not
 * ship every row's text to the verifier.
 */
export function contentHashSql(spec: ContentSpec): string {
  const fields = spec.fields.map((field) => field.column ?? field.sql).join(', ');
  return `encode(sha256(convert_to(jsonb_build_array('${spec.version}', ${fields})::text, 'UTF8')), 'hex')`;
}
