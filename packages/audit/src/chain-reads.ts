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
 * The entries of a tenant's chain that name these rows, in chain order:
 * found through the chain's unique key, so reading one entity's entries
 * costs the same whatever the size of the tenant's history.
 */
export async function readEntriesOf(
  db: Reader,
  tenantId: string,
  rows: readonly { kind: EntryKind; rowId: string }[],
): Promise<ChainEntry[]> {
  if (rows.length === 0) return [];
  const { rows: found } = await sql<EntryColumns>`
    SELECT tenant_id, seq::text AS seq_text, kind, row_id::text AS row_id, txid::text AS txid,
           to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at,
           content_hash, prev_hash, hash
      FROM audit_chain
     WHERE tenant_id = ${tenantId}
       AND (kind, row_id) IN (
         SELECT * FROM unnest(${rows.map((row) => row.kind)}::text[], ${rows.map((row) => row.rowId)}::uuid[]))
     ORDER BY seq
  `.execute(db);
  return found.map(chainEntryOf);
}

/**
 * The numbers of the tenant's checkpoints whose segments hold these chain
 * positions, as the database recorded them when it sealed (a position
 * sealed but not yet checkpointed has none). Which checkpoints to fetch
 * from the store, not what proves anything: the store's copies do that.
 */
export async function checkpointsHolding(
  db: Reader,
  tenantId: string,
  seqs: readonly number[],
): Promise<number[]> {
  if (seqs.length === 0) return [];
  const { rows } = await sql<{ no: number }>`
    SELECT DISTINCT c.checkpoint_no AS no
      FROM unnest(${seqs.map(String)}::bigint[]) AS s(seq)
      CROSS JOIN LATERAL (
        SELECT checkpoint_no, from_seq FROM audit_checkpoints
         WHERE tenant_id = ${tenantId} AND to_seq >= s.seq ORDER BY to_seq LIMIT 1
      ) c
     WHERE c.from_seq <= s.seq
     ORDER BY 1
  `.execute(db);
  return rows.map((row) => Number(row.no));
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
 * A chain entry with the content hash of its row as it is now (null: the row
 * is gone). Its occurred_at is read only for a gone row, the one case that
 * needs it (a pruned event); null otherwise.
 */
export type CheckedEntry = Omit<ChainEntry, 'occurredAt'> & {
  occurredAt: string | null;
  rowContentHash: string | null;
};

/** One line of a kind's chain joined with its table: an entry, a row, or both. */
interface JoinedColumns {
  tenant_id: string | null;
  seq_text: string | null;
  row_id: string | null;
  txid: string | null;
  /** Only for an entry whose row is gone: telling a pruned event from a deleted one needs it. */
  gone_at: string | null;
  content_hash: string | null;
  prev_hash: string | null;
  hash: string | null;
  /** The row's content hash now; '' when it equals the sealed one (most rows: less to read). */
  row_hash: string | null;
  /** Only for a row no entry names. */
  r_tenant: string | null;
  r_id: string | null;
  r_txid: string | null;
}

/**
 * The chain (of one tenant, or of all) checked against the history rows, in
 * one pass per kind: the kind's entries full-joined with its table on the row
 * id. Each entry comes with the content hash its row has now, computed by
 * Postgres next to the row (null when the row is gone), and every row no
 * entry names comes as unchained. Hash joins, no per-entry lookups and no
 * sort in the database: the entries are put in chain order here.
 */
export async function readChainAgainstRows(
  db: Reader,
  tenantId?: string,
): Promise<{ entries: CheckedEntry[]; unchained: HistoryRow[] }> {
  const tenant = tenantId ?? null;
  const entries: CheckedEntry[] = [];
  const unchained: HistoryRow[] = [];
  for (const kind of ENTRY_KINDS) {
    const spec = CONTENT[kind];
    // With one tenant, its rows and the rows its chain names (a row moved to
    // another tenant is then an edit, not a disappearance).
    const { rows } = await sql<JoinedColumns>`
      SELECT c.tenant_id, c.seq::text AS seq_text, c.row_id::text AS row_id, c.txid::text AS txid,
             CASE WHEN r.id IS NULL THEN to_char(c.occurred_at AT TIME ZONE 'UTC',
                                                 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END AS gone_at,
             c.content_hash, c.prev_hash, c.hash,
             CASE WHEN r.id IS NULL THEN NULL WHEN r.hash = c.content_hash THEN '' ELSE r.hash END
               AS row_hash,
             CASE WHEN c.row_id IS NULL THEN r.tenant_id END AS r_tenant,
             CASE WHEN c.row_id IS NULL THEN r.id::text END AS r_id,
             CASE WHEN c.row_id IS NULL THEN r.txid::text END AS r_txid
        FROM (SELECT * FROM audit_chain
               WHERE kind = ${kind} AND (${tenant}::text IS NULL OR tenant_id = ${tenant})) c
        FULL JOIN (
          SELECT id, tenant_id, txid, ${sql.raw(contentHashSql(spec))} AS hash
            FROM ${sql.table(spec.table)} t
           WHERE ${sql.raw(spec.exclude ? `NOT (${spec.exclude})` : 'true')}
             AND (${tenant}::text IS NULL OR t.tenant_id = ${tenant}
                  OR t.id IN (SELECT row_id FROM audit_chain
                               WHERE kind = ${kind} AND tenant_id = ${tenant}))
        ) r ON r.id = c.row_id
    `.execute(db);
    for (const row of rows) {
      if (row.seq_text === null) {
        unchained.push({
          tenantId: row.r_tenant as string,
          kind,
          id: row.r_id as string,
          txid: BigInt(row.r_txid as string),
          contentHash: row.row_hash as string,
          content: null,
        });
        continue;
      }
      const contentHash = row.content_hash as string;
      entries.push({
        tenantId: row.tenant_id as string,
        seq: Number(row.seq_text),
        kind,
        rowId: row.row_id as string,
        txid: BigInt(row.txid as string),
        occurredAt: row.gone_at,
        contentHash,
        prevHash: row.prev_hash as string,
        hash: row.hash as string,
        rowContentHash: row.row_hash === '' ? contentHash : row.row_hash,
      });
    }
  }
  // Chain order: by tenant, then position (the positions of all three kinds interleave).
  entries.sort((a, b) =>
    a.tenantId === b.tenantId ? a.seq - b.seq : a.tenantId < b.tenantId ? -1 : 1,
  );
  return { entries, unchained };
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
