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
  setTransactionTenant,
} from '@auditflow/db';
import { AccountDirectory, bookEntry, type JournalEntryDraft } from '@auditflow/ledger';
import type { Kysely, Transaction } from 'kysely';
import type { Aggregate, AggregateRow } from './aggregate';
import { appendHistory } from './append-history';
import type { CommandContext, WriteResult } from './context';
import type { Change, Creation } from './decision';
import { insertAggregate, lockAggregate, updateAggregate } from './domain-rows';
import { claimIdempotencyKey, recordIdempotentResult } from './idempotency';

export interface TransitionOptions {
  /** The version the caller last saw (If-Match); a mismatch is `version_mismatch`. */
  expectedVersion?: number | null;
}

/**
 * The only way to change domain state. One call is one transaction: claim the
 * idempotency key, load and lock the aggregate, decide, validate the event,
 * persist the state, append audit row, outbox event and transition, book the
 * journal entry of a money-moving event, commit.
 * Anything thrown before the commit rolls all of it back. The commit itself
 * wakes the relay (a NOTIFY of the outbox); after it, the write unit only
 * remembers the ledger accounts the commit made sure exist.
 */
export interface WriteUnit<C extends EventCatalogue, M extends string = never> {
  /**
   * Creates an aggregate at version 1. Throws what `decide` throws,
   * `idempotency_key_reused`, `limit_exceeded`, or EventSchemaViolation (a bug).
   */
  create<T extends DomainTable>(
    db: Kysely<DB>,
    ctx: CommandContext,
    aggregate: Aggregate<T>,
    decide: () => Creation<T, C, M>,
  ): Promise<WriteResult<AggregateRow<T>>>;

  /**
   * Applies a command to an existing aggregate of the tenant. Throws
   * `not_found` (unknown id, or another tenant's), `version_mismatch`, what
   * `decide` throws, `idempotency_key_reused`, `limit_exceeded` (the entry
   * would take a limited balance past its limit), or EventSchemaViolation.
   */
  transition<T extends DomainTable>(
    db: Kysely<DB>,
    ctx: CommandContext,
    aggregate: Aggregate<T>,
    id: string,
    decide: (current: AggregateRow<T>) => Change<T, C, M>,
    options?: TransitionOptions,
  ): Promise<WriteResult<AggregateRow<T>>>;

  /**
   * Several writes in one transaction, with whatever else must commit with
   * them (a subscriber's inbox row): all of it commits, or none.
   */
  batch<R>(db: Kysely<DB>, work: (unit: WriteBatch<C, M>) => Promise<R>): Promise<R>;
}

/** The write unit bound to one open transaction (see WriteUnit.batch). */
export interface WriteBatch<C extends EventCatalogue, M extends string = never> {
  /** The batch's transaction, for statements that must commit with the writes. */
  readonly trx: Transaction<DB>;
  /**
   * Scopes the transaction to a tenant before statements of its own (a
   * subscriber's inbox row). Writes do it themselves. One tenant per
   * transaction: naming another throws.
   */
  useTenant(tenantId: string): Promise<void>;
  /**
   * Names the batch's tenant before its first write (a subscriber reads
   * first, with the tenant of its event). A transaction has one tenant:
   * naming another throws. The writes below name their context's tenant
   * themselves.
   */
  useTenant(tenantId: string): Promise<void>;
  create<T extends DomainTable>(
    ctx: CommandContext,
    aggregate: Aggregate<T>,
    decide: () => Creation<T, C, M>,
  ): Promise<WriteResult<AggregateRow<T>>>;
  transition<T extends DomainTable>(
    ctx: CommandContext,
    aggregate: Aggregate<T>,
    id: string,
    decide: (current: AggregateRow<T>) => Change<T, C, M>,
    options?: TransitionOptions,
  ): Promise<WriteResult<AggregateRow<T>>>;
}

/** What the write unit checks every decision against, and what it books with. */
interface Rules {
  catalogue: EventCatalogue;
  /** Event types whose change books a journal entry. */
  moneyMoving: ReadonlySet<string>;
  /** Ledger accounts seen committed: booking to them needs no lookup. */
  accounts: AccountDirectory;
}

/** One transaction's bookkeeping: what to do once it has committed. */
interface Committing {
  afterCommit(effect: () => void): void;
}

/**
 * The write unit of one event catalogue: every event it appends is checked
 * against it, and a decision whose event type is one of `moneyMoving` must
 * carry its journal entry (the types say so; so does the database).
 */
export function defineWriteUnit<C extends EventCatalogue, M extends keyof C & string = never>(
  catalogue: C,
  options: { moneyMoving?: readonly M[] } = {},
): WriteUnit<C, M> {
  const rules: Rules = {
    catalogue,
    moneyMoving: new Set(options.moneyMoving ?? []),
    accounts: new AccountDirectory(),
  };
  const batch = <R>(db: Kysely<DB>, work: (unit: WriteBatch<C, M>) => Promise<R>) =>
    commitOrReport(db, (trx, committing) => {
      const useTenant = tenantScope(trx);
      return work({
        trx,
        useTenant,
        create: async (ctx, aggregate, decide) => {
          await useTenant(ctx.tenantId);
          return createAggregate({ trx, rules, committing }, ctx, aggregate, decide);
        },
        transition: async (ctx, aggregate, id, decide, options) => {
          await useTenant(ctx.tenantId);
          return transitionAggregate(
            { trx, rules, committing },
            ctx,
            aggregate,
            id,
            decide,
            options,
          );
        },
      });
    });
  return {
    batch,
    create: (db, ctx, aggregate, decide) =>
      batch(db, (unit) => unit.create(ctx, aggregate, decide)),
    transition: (db, ctx, aggregate, id, decide, options) =>
      batch(db, (unit) => unit.transition(ctx, aggregate, id, decide, options)),
  };
}

/**
 * Row-level security shows and lets a transaction write only the tenant it
 * names: named once, at its first write (or a subscriber's first statement),
 * here and nowhere else in the write path.
 */
function tenantScope(trx: Transaction<DB>): (tenantId: string) => Promise<void> {
  let tenant: string | undefined;
  return async (tenantId) => {
    if (tenant === tenantId) return;
    if (tenant !== undefined) {
      throw new Error(`one tenant per transaction: ${tenant} already, not ${tenantId}`);
    }
    await setTransactionTenant(trx, tenantId);
    tenant = tenantId;
  };
}

/** Inserts version 1 of an aggregate with its history, inside `trx`. */
/** The open transaction a write runs in, with the rules it is checked against. */
interface Writing {
  trx: Transaction<DB>;
  rules: Rules;
  committing: Committing;
}

function createAggregate<T extends DomainTable, C extends EventCatalogue, M extends string>(
  writing: Writing,
  ctx: CommandContext,
  aggregate: Aggregate<T>,
  decide: () => Creation<T, C, M>,
): Promise<WriteResult<AggregateRow<T>>> {
  const { trx, rules } = writing;
  return keyedWrite(trx, ctx, aggregate.type, async () => {
    const decision = decide();
    const eventData = validateDecision(rules, decision);
    const state = await insertAggregate(trx, aggregate, {
      ...decision.fields,
      id: newId(),
      tenant_id: ctx.tenantId,
      status: decision.status,
      version: 1,
    });
    return recordVersion(
      writing,
      ctx,
      aggregate,
      { command: 'create', before: null, state },
      decision,
      eventData,
    );
  });
}

/** Locks an aggregate of the tenant, decides, and writes the next version with its history, inside `trx`. */
function transitionAggregate<T extends DomainTable, C extends EventCatalogue, M extends string>(
  writing: Writing,
  ctx: CommandContext,
  aggregate: Aggregate<T>,
  id: string,
  decide: (current: AggregateRow<T>) => Change<T, C, M>,
  options: TransitionOptions = {},
): Promise<WriteResult<AggregateRow<T>>> {
  const { trx, rules } = writing;
  return keyedWrite(trx, ctx, aggregate.type, async () => {
    // Ids are UUIDs; anything else cannot exist, and must not reach SQL as one.
    const current = isUuid(id) ? await lockAggregate(trx, aggregate, ctx.tenantId, id) : undefined;
    if (!current) throw notFound(aggregate.type.replace(/_/g, ' '));
    const expected = options.expectedVersion;
    if (expected != null && expected !== current.version) {
      throw new AppError(
        'version_mismatch',
        `Expected version ${expected}, but it is at version ${current.version}; reload and retry.`,
      );
    }
    const decision = decide(current);
    const eventData = validateDecision(rules, decision);
    const state = await updateAggregate(trx, aggregate, current, {
      ...decision.fields,
      status: decision.status,
    });
    return recordVersion(
      writing,
      ctx,
      aggregate,
      { command: decision.command, before: current, state },
      decision,
      eventData,
    );
  });
}

/**
 * Checks the event against its schema and returns its parsed data; refuses
 * (a bug, the types prevent it) a money-moving event without its entry or
 * an entry without one.
 */
function validateDecision(
  rules: Rules,
  decision: { event: { type: string; data: unknown }; entry?: JournalEntryDraft },
): unknown {
  const eventData = validateEvent(rules.catalogue, decision.event.type, decision.event.data);
  if (rules.moneyMoving.has(decision.event.type) !== (decision.entry !== undefined)) {
    throw new Error(
      decision.entry === undefined
        ? `${decision.event.type} moves money: its decision must carry its journal entry`
        : `${decision.event.type} moves no money: its decision cannot carry a journal entry`,
    );
  }
  return eventData;
}

/**
 * The history of one version, whether created or changed: its audit row
 * (before and after), its transition, its event and, when the event moves
 * money, its journal entry. The one call both paths share, so they cannot
 * record a version differently.
 */
async function recordVersion<T extends DomainTable, Row extends AggregateColumns>(
  writing: Writing,
  ctx: CommandContext,
  aggregate: Aggregate<T>,
  version: { command: string; before: Row | null; state: Row },
  decision: { audit: { action: string }; event: { type: string }; entry?: JournalEntryDraft },
  eventData: unknown,
): Promise<{ state: Row; event: { id: string; type: string } }> {
  const { trx, rules, committing } = writing;
  const { command, before, state } = version;
  const { eventId, auditId } = await appendHistory(trx, ctx, {
    aggregateType: aggregate.type,
    aggregateId: state.id,
    version: state.version,
    command,
    fromStatus: before?.status ?? null,
    toStatus: state.status,
    action: decision.audit.action,
    before,
    after: state,
    eventType: decision.event.type,
    eventData,
  });
  if (decision.entry) {
    // After the event and audit row it names: the database checks they are this transaction's.
    const { accounts } = await bookEntry(
      trx,
      { tenantId: ctx.tenantId, correlationId: ctx.correlationId, eventId, auditId },
      decision.entry,
      rules.accounts,
    );
    // Only a committed account exists for the next transaction to post to.
    committing.afterCommit(() => rules.accounts.remember(ctx.tenantId, accounts));
  }
  return { state, event: { id: eventId, type: decision.event.type } };
}

/** One write inside `trx` under the context's idempotency key, if it has one. */
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
  work: (trx: Transaction<DB>, committing: Committing) => Promise<R>,
): Promise<R> {
  let committing = false;
  const effects: (() => void)[] = [];
  try {
    const result = await db.transaction().execute(async (trx) => {
      const result = await work(trx, { afterCommit: (effect) => effects.push(effect) });
      committing = true;
      return result;
    });
    for (const effect of effects) effect();
    return result;
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
