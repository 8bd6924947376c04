import type { DB, OutboxRow } from '@auditflow/db';
import { type Kysely, sql } from 'kysely';
import { aggregateKey } from './aggregate-key';

/**
 * The relay's SQL, one statement (or one short transaction) per function.
 * No function holds a lock beyond its own transaction: claimed rows are
 * protected by a lease (claimed_until), not by a lock held across PutEvents.
 */

export interface ClaimOptions {
  relayId: string;
  limit: number;
  leaseMs: number;
}

/**
 * Leases up to `limit` due pending events, oldest first, in version order per
 * aggregate. Safe with any number of concurrent relays. Each claim counts as
 * an attempt.
 *
 * No commit-order watermark is needed: rows are chosen by status, not by
 * position, so a row whose transaction commits late is simply pending when it
 * becomes visible, and the next pass takes it.
 */
export async function claimEvents(db: Kysely<DB>, options: ClaimOptions): Promise<OutboxRow[]> {
  return db.transaction().execute(async (trx) => {
    // SKIP LOCKED: rows another relay is claiming right now are left to it,
    // rather than waited for. An expired lease means its relay died.
    // NOT EXISTS: a row whose earlier version waits (backoff, or leased) cannot
    // go yet; leaving it out here keeps such rows from filling the batch and
    // starving aggregates that could go.
    const { rows: candidates } = await sql<
      Pick<OutboxRow, 'id' | 'aggregate_type' | 'aggregate_id' | 'aggregate_version'>
    >`
      SELECT o.id, o.aggregate_type, o.aggregate_id, o.aggregate_version
        FROM outbox o
       WHERE o.status = 'pending'
         AND o.next_attempt_at <= now()
         AND (o.claimed_until IS NULL OR o.claimed_until < now())
         AND NOT EXISTS (
           SELECT 1 FROM outbox p
            WHERE p.status = 'pending'
              AND p.aggregate_type = o.aggregate_type AND p.aggregate_id = o.aggregate_id
              AND p.aggregate_version < o.aggregate_version
              AND (p.next_attempt_at > now() OR p.claimed_until >= now())
            -- OFFSET 0 keeps this a per-row index probe: as an anti join the
            -- planner scanned the whole outbox, expecting almost no leased rows.
            OFFSET 0
         )
         -- A dead earlier version holds the aggregate back until an operator
         -- retries or skips it (migration 0014): nothing goes out of order.
         AND NOT EXISTS (
           SELECT 1 FROM outbox d
            WHERE d.status = 'dead'
              AND d.aggregate_type = o.aggregate_type AND d.aggregate_id = o.aggregate_id
              AND d.aggregate_version < o.aggregate_version
            OFFSET 0
         )
       ORDER BY o.id
       LIMIT ${options.limit}
         FOR UPDATE OF o SKIP LOCKED
    `.execute(trx);
    if (candidates.length === 0) return [];

    const inOrder = await firstPendingVersions(trx, candidates);
    if (inOrder.length === 0) return [];
    const { rows } = await sql<OutboxRow>`
      UPDATE outbox
         SET claimed_by = ${options.relayId},
             claimed_until = now() + make_interval(secs => ${options.leaseMs / 1000}),
             attempts = attempts + 1
       WHERE id = ANY(${inOrder}::uuid[])
      RETURNING *
    `.execute(trx);
    return rows.sort(
      (a, b) =>
        a.aggregate_type.localeCompare(b.aggregate_type) ||
        a.aggregate_id.localeCompare(b.aggregate_id) ||
        a.aggregate_version - b.aggregate_version,
    );
  });
}

/**
 * Keeps, per aggregate, the candidates that start at its lowest pending
 * version and run on without a gap. Version n+1 is held back while version n
 * is pending anywhere (waiting for a retry, leased by another relay, or not
 * locked by us) or dead, so two relays never publish an aggregate out of
 * order, and a dead event is retried or skipped before its successors go.
 */
async function firstPendingVersions(
  trx: Kysely<DB>,
  candidates: Pick<OutboxRow, 'id' | 'aggregate_type' | 'aggregate_id' | 'aggregate_version'>[],
): Promise<string[]> {
  const types = candidates.map((row) => row.aggregate_type);
  const ids = candidates.map((row) => row.aggregate_id);
  const { rows: pending } = await sql<{
    aggregate_type: string;
    aggregate_id: string;
    aggregate_version: number;
  }>`
    SELECT o.aggregate_type, o.aggregate_id, o.aggregate_version
      FROM outbox o
      JOIN (SELECT DISTINCT * FROM unnest(${types}::text[], ${ids}::uuid[]) AS a(type, id)) a
        ON o.aggregate_type = a.type AND o.aggregate_id = a.id
     WHERE o.status IN ('pending', 'dead')
     ORDER BY o.aggregate_type, o.aggregate_id, o.aggregate_version
  `.execute(trx);

  const candidateByKey = new Map(
    candidates.map((row) => [`${aggregateKey(row)}/${row.aggregate_version}`, row.id]),
  );
  const kept: string[] = [];
  const blocked = new Set<string>();
  for (const row of pending) {
    const aggregate = aggregateKey(row);
    if (blocked.has(aggregate)) continue;
    const id = candidateByKey.get(`${aggregate}/${row.aggregate_version}`);
    if (id) kept.push(id);
    else blocked.add(aggregate);
  }
  return kept;
}

/**
 * Marks events accepted by EventBridge, whoever holds them now: accepted is
 * accepted, even if this relay's lease ran out meanwhile.
 */
export async function markPublished(db: Kysely<DB>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    UPDATE outbox
       SET status = 'published', published_at = now(), last_error = NULL,
           claimed_by = NULL, claimed_until = NULL
     WHERE id = ANY(${ids}::uuid[])
  `.execute(db);
}

/**
 * Puts events back to pending, due after their own delay (backoff with
 * jitter). Like every outcome below, it applies only to rows this relay
 * still holds: if its lease ran out and another relay took a row over, the
 * row is that relay's to settle.
 */
export async function scheduleRetries(
  db: Kysely<DB>,
  relayId: string,
  retries: { id: string; delayMs: number; error: string }[],
): Promise<void> {
  if (retries.length === 0) return;
  await sql`
    UPDATE outbox o
       SET next_attempt_at = now() + make_interval(secs => r.delay_ms / 1000.0),
           last_error = r.error, claimed_by = NULL, claimed_until = NULL
      FROM unnest(${retries.map((r) => r.id)}::uuid[], ${retries.map((r) => r.delayMs)}::int[],
                  ${retries.map((r) => r.error)}::text[]) AS r(id, delay_ms, error)
     WHERE o.id = r.id AND o.status = 'pending' AND o.claimed_by = ${relayId}
  `.execute(db);
}

/** Gives up on events: they stay in the outbox as dead, with the reason, until retried. */
export async function markDead(
  db: Kysely<DB>,
  relayId: string,
  dead: { id: string; error: string }[],
): Promise<void> {
  if (dead.length === 0) return;
  await sql`
    UPDATE outbox o
       SET status = 'dead', last_error = d.error, claimed_by = NULL, claimed_until = NULL
      FROM unnest(${dead.map((d) => d.id)}::uuid[], ${dead.map((d) => d.error)}::text[]) AS d(id, error)
     WHERE o.id = d.id AND o.status = 'pending' AND o.claimed_by = ${relayId}
  `.execute(db);
}

/**
 * Returns claimed events that were not sent (an earlier version of their
 * aggregate failed, or time ran out) without counting the attempt.
 */
export async function releaseClaims(db: Kysely<DB>, relayId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    UPDATE outbox
       SET claimed_by = NULL, claimed_until = NULL, attempts = greatest(attempts - 1, 0)
     WHERE id = ANY(${ids}::uuid[]) AND status = 'pending' AND claimed_by = ${relayId}
  `.execute(db);
}

/**
 * Deletes published events older than `olderThanMs` that the audit chain has
 * sealed, at most `limit` per call, and records the horizon so reconciliation knows what was pruned.
 * Returns how many it deleted.
 */
export async function prunePublished(
  db: Kysely<DB>,
  options: { olderThanMs: number; limit: number },
): Promise<number> {
  // One statement: the horizon is computed and kept in SQL, at the database's
  // own (microsecond) precision, in the same transaction as the delete.
  const { rows } = await sql<{ pruned: number }>`
    WITH doomed AS (
      SELECT id FROM outbox
       WHERE status = 'published'
         AND published_at < now() - make_interval(secs => ${options.olderThanMs / 1000})
         -- The audit chain keeps an event's hash, not its content: an event
         -- goes only once it is sealed (checkpoints are not chained).
         AND (aggregate_type = 'audit_chain' OR EXISTS (
               SELECT 1 FROM audit_chain c WHERE c.kind = 'event' AND c.row_id = outbox.id))
       ORDER BY published_at
       LIMIT ${options.limit}
    ), deleted AS (
      DELETE FROM outbox o USING doomed d WHERE o.id = d.id RETURNING o.occurred_at
    ), horizon AS (
      INSERT INTO outbox_retention (singleton, pruned_before)
      SELECT true, max(occurred_at) FROM deleted HAVING count(*) > 0
      ON CONFLICT (singleton) DO UPDATE
        SET pruned_before = greatest(outbox_retention.pruned_before, excluded.pruned_before)
    )
    SELECT count(*)::int AS pruned FROM deleted
  `.execute(db);
  return rows[0]?.pruned ?? 0;
}
