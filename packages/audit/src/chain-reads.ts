import type { DB } from '@auditflow/db';
import { type Kysely, sql, type Transaction } from 'kysely';
import { CONTENT, contentHashSql, ENTRY_KINDS } from './content-fields';
import { type ContentField, contentText, type EntryKind, sha256Hex } from './encoding';

/** One link of a tenant's chain, as stored. */
export interface ChainEntry {
  tenantId: string;
  seq: number;
  kind: EntryKind;
  rowId: string;
  txid: bigint;
  /** The row's occurred_at in the encoding's instant format. */
  occurredAt: string;
  contentHash: string;
  prevHash: string;
  hash: string;
}

/** A history row with the hash of its content (and the content text, when rebuilt here). */
export interface HistoryRow {
  tenantId: string;
  kind: EntryKind;
  id: string;
  txid: bigint;
  contentHash: string;
  content: string | null;
}

type Reader = Kysely<DB> | Transaction<DB>;

/** A chain entry as both reads select it. */
interface EntryColumns {
  tenant_id: string;
  seq_text: string;
  kind: EntryKind;
  row_id: string;
  txid: string;
  occurred_at: string;
  content_hash: string;
  prev_hash: string;
  hash: string;
}

function chainEntryOf(row: EntryColumns): ChainEntry {
  return {
    tenantId: row.tenant_id,
    seq: Number(row.seq_text),
    kind: row.kind,
    rowId: row.row_id,
    txid: BigInt(row.txid),
    occurredAt: row.occurred_at,
    contentHash: row.content_hash,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** A tenant's chain (or every tenant's), in order. */
export async function readEntries(db: Reader, tenantId?: string): Promise<ChainEntry[]> {
  const tenant = tenantId ?? null;
  const { rows } = await sql<EntryColumns>`
    SELECT tenant_id, seq::text AS seq_text, kind, row_id::text AS row_id, txid::text AS txid,
           to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at,
           content_hash, prev_hash, hash
      FROM audit_chain WHERE ${tenant}::text IS NULL OR tenant_id = ${tenant}
     ORDER BY tenant_id COLLATE "C", seq
  `.execute(db);
  return rows.map(chainEntryOf);
}

/**
 * Every history row of a tenant (or of all, or of one entity) with its
 * content hash: by default computed in Postgres from the columns with
 * built-in functions; with `rebuildHere`, the content text is rebuilt from
 * the columns' values in this process and hashed here (independent of the
 * server's functions, and slower: every row's text crosses the wire).
 */
export async function readHistory(
  db: Reader,
  filter: { tenantId?: string; entityId?: string } = {},
  options: { rebuildHere?: boolean } = {},
): Promise<HistoryRow[]> {
  const out: HistoryRow[] = [];
  for (const kind of ENTRY_KINDS) {
    const spec = CONTENT[kind];
    const columns = options.rebuildHere
      ? spec.fields.map((field, i) => `${field.sql} AS f${i}`).join(', ')
      : `${contentHashSql(spec)} AS "contentHash"`;
    const conditions = [
      filter.tenantId === undefined ? sql`true` : sql`tenant_id = ${filter.tenantId}`,
      filter.entityId === undefined
        ? sql`true`
        : sql`${sql.ref(spec.entityColumn)} = ${filter.entityId}::uuid`,
      spec.exclude ? sql.raw(`NOT (${spec.exclude})`) : sql`true`,
    ];
    const { rows } = await sql<Record<string, string | null>>`
      SELECT tenant_id AS "tenantId", id::text AS "rowId", txid::text AS "rowTxid", ${sql.raw(columns)}
        FROM ${sql.table(spec.table)} WHERE ${sql.join(conditions, sql` AND `)}
    `.execute(db);
    for (const row of rows) {
      let content: string | null = null;
      if (options.rebuildHere) {
        const fields: ContentField[] = spec.fields.map((field, i) => {
          const value = row[`f${i}`] ?? null;
          return value !== null && field.jsonb ? { jsonb: value } : value;
        });
        content = contentText(spec.version, fields);
      }
      out.push({
        tenantId: row.tenantId as string,
        kind,
        id: row.rowId as string,
        txid: BigInt(row.rowTxid as string),
        contentHash: content === null ? (row.contentHash as string) : sha256Hex(content),
        content,
      });
    }
  }
  return out;
}

/**
 * The chain (of one tenant, or of all) with, for each entry, the content
 * hash of its row as it is now, computed by Postgres next to the row (null
 * when the row is gone): one pass over the chain, no row text on the wire.
 */
export async function readCheckedEntries(
  db: Reader,
  tenantId?: string,
): Promise<(ChainEntry & { rowContentHash: string | null })[]> {
  const tenant = tenantId ?? null;
  const hashOf = (kind: EntryKind, alias: string) => {
    const spec = CONTENT[kind];
    return sql.raw(
      `(SELECT ${contentHashSql(spec)} FROM ${spec.table} ${alias}
         WHERE ${alias}.id = c.row_id${spec.exclude ? ` AND NOT (${spec.exclude})` : ''})`,
    );
  };
  const { rows } = await sql<EntryColumns & { row_hash: string | null }>`
    SELECT tenant_id, seq::text AS seq_text, kind, row_id::text AS row_id, txid::text AS txid,
           to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at,
           content_hash, prev_hash, hash,
           CASE kind WHEN 'audit' THEN ${hashOf('audit', 'a')}
                     WHEN 'transition' THEN ${hashOf('transition', 't')}
                     ELSE ${hashOf('event', 'o')} END AS row_hash
      FROM audit_chain c WHERE ${tenant}::text IS NULL OR tenant_id = ${tenant}
     ORDER BY tenant_id COLLATE "C", c.seq
  `.execute(db);
  return rows.map((row) => ({ ...chainEntryOf(row), rowContentHash: row.row_hash }));
}

/** History rows (of one tenant, or of all) that no chain entry names, with their content hashes. */
export async function readUnchainedRows(db: Reader, tenantId?: string): Promise<HistoryRow[]> {
  const tenant = tenantId ?? null;
  const out: HistoryRow[] = [];
  for (const kind of ENTRY_KINDS) {
    const spec = CONTENT[kind];
    const { rows } = await sql<{ tenant_id: string; id: string; txid: string; hash: string }>`
      SELECT tenant_id, id::text AS id, txid::text AS txid, ${sql.raw(contentHashSql(spec))} AS hash
        FROM ${sql.table(spec.table)} r
       WHERE (${tenant}::text IS NULL OR tenant_id = ${tenant})
         AND ${sql.raw(spec.exclude ? `NOT (${spec.exclude})` : 'true')}
         AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.kind = ${kind} AND c.row_id = r.id)
    `.execute(db);
    for (const row of rows) {
      out.push({
        tenantId: row.tenant_id,
        kind,
        id: row.id,
        txid: BigInt(row.txid),
        contentHash: row.hash,
        content: null,
      });
    }
  }
  return out;
}

/** What the database says of sealing and retention, for telling pending from missing. */
export interface ChainState {
  /** Every audit row below this transaction id has been sealed. */
  sealedBelow: bigint;
  /** Published events that occurred at or before this may have been pruned. */
  prunedBefore: string | null;
  /** Per tenant, the last checkpoint the database wrote. */
  checkpointsWritten: Map<string, number>;
}

export async function readChainState(db: Reader): Promise<ChainState> {
  const progress = await sql<{ sealed_below: string; pruned_before: string | null }>`
    SELECT (SELECT sealed_below::text FROM audit_chain_progress) AS sealed_below,
           (SELECT to_char(pruned_before AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
              FROM outbox_retention) AS pruned_before
  `.execute(db);
  const heads = await sql<{ tenant_id: string; checkpoint_no: number }>`
    SELECT tenant_id, checkpoint_no FROM audit_chain_heads
  `.execute(db);
  return {
    sealedBelow: BigInt(progress.rows[0]?.sealed_below ?? '0'),
    prunedBefore: progress.rows[0]?.pruned_before ?? null,
    checkpointsWritten: new Map(heads.rows.map((row) => [row.tenant_id, row.checkpoint_no])),
  };
}
