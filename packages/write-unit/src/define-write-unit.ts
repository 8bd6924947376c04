import {
  AppError,
  type EventCatalogue,
  isUuid,
  newId,
  notFound,
  validateEvent,
} from '@auditflow/core';
import {
  type AggregateColumns,
  type DB,
  type DomainTable,
  isDatabaseUnavailable,
} from '@auditflow/db';
import type { Kysely, Transaction } from 'kysely';
import type { Aggregate, AggregateRow } from './aggregate';
import { appendHistory } from './append-history';
import type { CommandContext, WriteResult } from './context';
import type { Change, Creation } from './decision';
import { insertAggregate, lockAggregate, updateAggregate } from './domain-rows';
import { claimIdempotencyKey, recordIdempotentResult } from './idempotency';

/** Runs after a write committed (never after a rollback); its failure does not undo the write. */
export type AfterCommit = (committed: {
  ctx: CommandContext;
  aggregateType: string;
  aggregateId: string;
  event: { id: string; type: string };
}) => void | Promise<void>;

export interface WriteUnitOptions {
  afterCommit?: AfterCommit[];
  /** Where after-commit failures are reported. */
  onAfterCommitError?: (error: unknown) => void;
}

export interface TransitionOptions {
  /** The version the caller last saw (If-Match); a mismatch is `version_mismatch`. */
  expectedVersion?: number | null;
}

/**
 * The only way to change domain state. One call is one transaction: claim the
 * idempotency key, load and lock the aggregate, decide, validate the event,
 * persist the state, append audit row, outbox event and transition, commit;
 * then run the after-commit effects. Anything thrown before the commit rolls
 * all of it back.
 */
export interface WriteUnit<C extends EventCatalogue> {
  /**
   * Creates an aggregate at version 1. Throws what `decide` throws,
   * `idempotency_key_reused`, or EventSchemaViolation (a bug).
   */
  create<T extends DomainTable>(
    db: Kysely<DB>,
    ctx: CommandContext,
    aggregate: Aggregate<T>,
    decide: () => Creation<T, C>,
  ): Promise<WriteResult<AggregateRow<T>>>;

  /**
   * Applies a command to an existing aggregate of the tenant. Throws
   * `not_found` (unknown id, or another tenant's), `version_mismatch`, what
   * `decide` throws, `idempotency_key_reused`, or EventSchemaViolation.
   */
  transition<T extends DomainTable>(
    db: Kysely<DB>,
    ctx: CommandContext,
    aggregate: Aggregate<T>,
    id: string,
    decide: (current: AggregateRow<T>) => Change<T, C>,
    options?: TransitionOptions,
  ): Promise<WriteResult<AggregateRow<T>>>;

  /**
   * Several writes in one transaction, with whatever else must commit with
   * them (a subscriber's inbox row): all of it commits, or none. After-commit
   * effects run once the whole batch committed.
   */
  batch<R>(db: Kysely<DB>, work: (unit: WriteBatch<C>) => Promise<R>): Promise<R>;
}

/** The write unit bound to one open transaction (see WriteUnit.batch). */
export interface WriteBatch<C extends EventCatalogue> {
  /** The batch's transaction, for statements that must commit with the writes. */
  readonly trx: Transaction<DB>;
  create<T extends DomainTable>(
    ctx: CommandContext,
    aggregate: Aggregate<T>,
    decide: () => Creation<T, C>,
  ): Promise<WriteResult<AggregateRow<T>>>;
  transition<T extends DomainTable>(
    ctx: CommandContext,
    aggregate: Aggregate<T>,
    id: string,
    decide: (current: AggregateRow<T>) => Change<T, C>,
    options?: TransitionOptions,
  ): Promise<WriteResult<AggregateRow<T>>>;
}

type Committed = Parameters<AfterCommit>[0];

export function defineWriteUnit<C extends EventCatalogue>(
  catalogue: C,
  options: WriteUnitOptions = {},
): WriteUnit<C> {
  const effects = options.afterCommit ?? [];
  const reportEffectError =
    options.onAfterCommitError ?? ((error) => console.error('after-commit effect failed', error));

  /** One write inside `trx`: idempotency key, then the write itself. */
  async function keyedWrite<Row extends AggregateColumns>(
    trx: Transaction<DB>,
    ctx: CommandContext,
    aggregateType: string,
    write: () => Promise<{ state: Row; event: { id: string; type: string } }>,
  ): Promise<WriteResult<Row>> {
    if (!ctx.idempotency) return { ...(await write()), replayed: false };
    const keyed = { ...ctx, idempotency: ctx.idempotency };
    const claim = await claimIdempotencyKey(trx, keyed, aggregateType);
    if (claim.kind === 'replay') return { state: claim.result as Row, event: null, replayed: true };
    const written = await write();
    await recordIdempotentResult(trx, keyed, written.state.id, written.state);
    return { ...written, replayed: false };
  }

  function bind(trx: Transaction<DB>, committed: Committed[]): WriteBatch<C> {
    const track = <Row extends AggregateColumns>(
      ctx: CommandContext,
      aggregateType: string,
      result: WriteResult<Row>,
    ) => {
      if (result.event) {
        committed.push({ ctx, aggregateType, aggregateId: result.state.id, event: result.event });
      }
      return result;
    };
    return {
      trx,
      async create(ctx, aggregate, decide) {
        const result = await keyedWrite(trx, ctx, aggregate.type, async () => {
          const decision = decide();
          const eventData = validateEvent(catalogue, decision.event.type, decision.event.data);
          const state = await insertAggregate(trx, aggregate, {
            ...decision.fields,
            id: newId(),
            tenant_id: ctx.tenantId,
            status: decision.status,
            version: 1,
          });
          const { eventId } = await appendHistory(trx, ctx, {
            aggregateType: aggregate.type,
            aggregateId: state.id,
            version: 1,
            command: 'create',
            fromStatus: null,
            toStatus: state.status,
            action: decision.audit.action,
            before: null,
            after: state,
            eventType: decision.event.type,
            eventData,
          });
          return { state, event: { id: eventId, type: decision.event.type } };
        });
        return track(ctx, aggregate.type, result);
      },

      async transition(ctx, aggregate, id, decide, transitionOptions = {}) {
        const result = await keyedWrite(trx, ctx, aggregate.type, async () => {
          // Ids are UUIDs; anything else cannot exist, and must not reach SQL as one.
          const current = isUuid(id)
            ? await lockAggregate(trx, aggregate, ctx.tenantId, id)
            : undefined;
          if (!current) throw notFound(aggregate.type.replace(/_/g, ' '));
          const expected = transitionOptions.expectedVersion;
          if (expected != null && expected !== current.version) {
            throw new AppError(
              'version_mismatch',
              `Expected version ${expected}, but it is at version ${current.version}; reload and retry.`,
            );
          }
          const decision = decide(current);
          const eventData = validateEvent(catalogue, decision.event.type, decision.event.data);
          const state = await updateAggregate(trx, aggregate, current, {
            ...decision.fields,
            status: decision.status,
          });
          const { eventId } = await appendHistory(trx, ctx, {
            aggregateType: aggregate.type,
            aggregateId: state.id,
            version: state.version,
            command: decision.command,
            fromStatus: current.status,
            toStatus: state.status,
            action: decision.audit.action,
            before: current,
            after: state,
            eventType: decision.event.type,
            eventData,
          });
          return { state, event: { id: eventId, type: decision.event.type } };
        });
        return track(ctx, aggregate.type, result);
      },
    };
  }

  async function batch<R>(db: Kysely<DB>, work: (unit: WriteBatch<C>) => Promise<R>): Promise<R> {
    const committed: Committed[] = [];
    const result = await commitOrReport(db, (trx) => work(bind(trx, committed)));
    for (const entry of committed) {
      for (const effect of effects) {
        try {
          await effect(entry);
        } catch (error) {
          reportEffectError(error);
        }
      }
    }
    return result;
  }

  return {
    batch,
    create: (db, ctx, aggregate, decide) =>
      batch(db, (unit) => unit.create(ctx, aggregate, decide)),
    transition: (db, ctx, aggregate, id, decide, transitionOptions) =>
      batch(db, (unit) => unit.transition(ctx, aggregate, id, decide, transitionOptions)),
  };
}

/**
 * Runs `work` in a transaction and commits it. A connection lost once `work`
 * is done (so while COMMIT is on its way or its answer is) leaves the outcome
 * unknown: the server may have committed without the client hearing it. That
 * is `commit_outcome_unknown`, not a plain failure, so no one reads it as
 * "nothing was written"; an idempotent retry tells which it was. A
 * connection lost earlier surfaces as it is: nothing committed.
 */
async function commitOrReport<R>(
  db: Kysely<DB>,
  work: (trx: Transaction<DB>) => Promise<R>,
): Promise<R> {
  let committing = false;
  try {
    return await db.transaction().execute(async (trx) => {
      const result = await work(trx);
      committing = true;
      return result;
    });
  } catch (error) {
    if (committing && isDatabaseUnavailable(error)) {
      throw new AppError(
        'commit_outcome_unknown',
        'The connection to the database was lost while the change committed, so it may or may not have been made. Send the request again with the same Idempotency-Key to find out; without one, check before repeating it.',
        { cause: error },
      );
    }
    throw error;
  }
}
