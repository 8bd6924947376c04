import { AppError } from '@auditflow/core';
import type { DB } from '@auditflow/db';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { CommandContext } from './context';

type Claim = { kind: 'claimed' } | { kind: 'replay'; result: unknown };

/**
 * Claims an idempotency key inside the write's transaction. A concurrent
 * request with the same key blocks on the primary key until the first one
 * commits or rolls back, so exactly one of them writes. Throws
 * `idempotency_key_reused` when the key was first used for another request.
 */
export async function claimIdempotencyKey(
  trx: Transaction<DB>,
  ctx: CommandContext & { idempotency: NonNullable<CommandContext['idempotency']> },
  aggregateType: string,
): Promise<Claim> {
  const { key, fingerprint } = ctx.idempotency;
  const inserted = await trx
    .insertInto('idempotency_keys')
    .values({ tenant_id: ctx.tenantId, key, fingerprint, aggregate_type: aggregateType })
    .onConflict((conflict) => conflict.columns(['tenant_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { kind: 'claimed' };

  const existing = await trx
    .selectFrom('idempotency_keys')
    .select(['fingerprint', 'result'])
    .where('tenant_id', '=', ctx.tenantId)
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  if (existing.fingerprint !== fingerprint) {
    throw new AppError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different request; use a new key.',
    );
  }
  return { kind: 'replay', result: existing.result };
}

/** Records the result under the claimed key, in the same transaction as the write. */
export async function recordIdempotentResult(
  trx: Transaction<DB>,
  ctx: CommandContext & { idempotency: NonNullable<CommandContext['idempotency']> },
  aggregateId: string,
  result: unknown,
): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({ aggregate_id: aggregateId, result: JSON.stringify(result) })
    .where('tenant_id', '=', ctx.tenantId)
    .where('key', '=', ctx.idempotency.key)
    .execute();
}

/**
 * Forgets idempotency keys older than `olderThanMs`, oldest first, at most
 * `limit` per call; returns how many. A retry with a forgotten key is a new
 * request, so the window must outlast any client's retries. Runs through
 * prune_idempotency_keys(), so the relay's role, which calls it, never reads
 * a key's stored result.
 */
export async function pruneIdempotencyKeys(
  db: Kysely<DB>,
  options: { olderThanMs: number; limit: number },
): Promise<number> {
  const { rows } = await sql<{ pruned: number }>`
    SELECT prune_idempotency_keys(make_interval(secs => ${options.olderThanMs / 1000}),
                                  ${options.limit}::int) AS pruned
  `.execute(db);
  return rows[0]?.pruned ?? 0;
}
