import type { AggregateColumns, DB, DomainTable } from '@auditflow/db';
import type { Kysely, Transaction } from 'kysely';
import { type EventCatalogue, validateEvent } from '../catalogue';
import { AppError, notFound } from '../errors';
import { isUuid, newId } from '../ids';
import type { Aggregate, AggregateRow } from './aggregate';
import type { CommandContext, WriteResult } from './context';
import type { Change, Creation } from './decision';
import { insertAggregate, lockAggregate, updateAggregate } from './domain-rows';
import { appendHistory } from './history';
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
}

export function defineWriteUnit<C extends EventCatalogue>(
  catalogue: C,
  options: WriteUnitOptions = {},
): WriteUnit<C> {
  const effects = options.afterCommit ?? [];
  const reportEffectError =
    options.onAfterCommitError ?? ((error) => console.error('after-commit effect failed', error));

  async function inTransaction<Row>(
    db: Kysely<DB>,
    ctx: CommandContext,
    aggregateType: string,
    write: (trx: Transaction<DB>) => Promise<{ state: Row; event: { id: string; type: string } }>,
  ): Promise<WriteResult<Row>> {
    const result = await db.transaction().execute(async (trx): Promise<WriteResult<Row>> => {
      if (ctx.idempotency) {
        const keyed = { ...ctx, idempotency: ctx.idempotency };
        const claim = await claimIdempotencyKey(trx, keyed, aggregateType);
        if (claim.kind === 'replay') {
          return { state: claim.result as Row, event: null, replayed: true };
        }
        const written = await write(trx);
        const state = written.state as Row & AggregateColumns;
        await recordIdempotentResult(trx, keyed, state.id, state);
        return { ...written, replayed: false };
      }
      return { ...(await write(trx)), replayed: false };
    });
    if (result.event) {
      const state = result.state as Row & AggregateColumns;
      await runAfterCommit(ctx, aggregateType, state.id, result.event);
    }
    return result;
  }

  async function runAfterCommit(
    ctx: CommandContext,
    aggregateType: string,
    aggregateId: string,
    event: { id: string; type: string },
  ): Promise<void> {
    for (const effect of effects) {
      try {
        await effect({ ctx, aggregateType, aggregateId, event });
      } catch (error) {
        reportEffectError(error);
      }
    }
  }

  return {
    create(db, ctx, aggregate, decide) {
      return inTransaction(db, ctx, aggregate.type, async (trx) => {
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
    },

    transition(db, ctx, aggregate, id, decide, transitionOptions = {}) {
      return inTransaction(db, ctx, aggregate.type, async (trx) => {
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
    },
  };
}
