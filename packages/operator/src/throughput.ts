import type { DB } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';

export interface ThroughputBucket {
  /** Start of the bucket, ISO 8601. */
  at: string;
  /** Events that occurred (were committed) in the bucket. */
  occurred: number;
  /** Events the relay published in the bucket. */
  published: number;
}

export interface Throughput {
  bucketSeconds: number;
  buckets: ThroughputBucket[];
}

/**
 * Events written and published per bucket over the last `buckets` buckets of
 * `bucketSeconds`, oldest first, every bucket present (zero when quiet), of
 * one tenant or (without one) of all. Published events older than the
 * retention horizon are pruned and no longer counted. Reads the by-time
 * indexes only over the window.
 */
export async function throughput(
  db: Kysely<DB>,
  window: { bucketSeconds: number; buckets: number },
  tenantId?: string,
): Promise<Throughput> {
  const tenant = tenantId ?? null;
  const width = `${window.bucketSeconds} seconds`;
  const { rows } = await sql<ThroughputBucket>`
    WITH bounds AS (
      SELECT date_bin(${width}::interval, now(), 'epoch') AS last,
             date_bin(${width}::interval, now(), 'epoch')
               - (${window.buckets - 1} * ${width}::interval) AS first
    ), series AS (
      SELECT generate_series(first, last, ${width}::interval) AS at FROM bounds
    ), occurred AS (
      SELECT date_bin(${width}::interval, occurred_at, 'epoch') AS at, count(*)::int AS n
        FROM outbox
       WHERE occurred_at >= (SELECT first FROM bounds)
         AND (${tenant}::text IS NULL OR tenant_id = ${tenant})
       GROUP BY 1
    ), published AS (
      SELECT date_bin(${width}::interval, published_at, 'epoch') AS at, count(*)::int AS n
        FROM outbox
       WHERE status = 'published' AND published_at >= (SELECT first FROM bounds)
         AND (${tenant}::text IS NULL OR tenant_id = ${tenant})
       GROUP BY 1
    )
    SELECT s.at, coalesce(o.n, 0) AS occurred, coalesce(p.n, 0) AS published
      FROM series s
      LEFT JOIN occurred o ON o.at = s.at
      LEFT JOIN published p ON p.at = s.at
     ORDER BY s.at
  `.execute(db);
  return { bucketSeconds: window.bucketSeconds, buckets: rows };
}
