import type { DB, DomainTable } from '@auditflow/db';
import type { eventCatalogue, MoneyMovingEventType } from '@auditflow/events';
import type {
  Aggregate,
  AggregateRow,
  AggregateStatus,
  Change,
  CommandContext,
  WriteBatch,
} from '@auditflow/write-unit';
import type { Kysely } from 'kysely';
import { writeUnit } from '../domain-write-unit';
import type { Target } from './command';
import { nextStatus, type TransitionTable } from './state-machine';

type Catalogue = typeof eventCatalogue;
type Money = MoneyMovingEventType;

/** Omit over each member of a union, so a decision keeps its event type tied to its entry. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An aggregate with its state machine: what a command needs besides its own decision. */
export interface Lifecycle<T extends DomainTable, Command extends string> {
  aggregate: Aggregate<T>;
  /** How error messages name one, e.g. `payroll run`. */
  noun: string;
  transitions: TransitionTable<AggregateStatus<T>, Command>;
}

/**
 * What a command decides; its name and next status come from the lifecycle.
 * A decision whose event moves money carries its journal entry.
 */
export type Decision<T extends DomainTable> = DistributiveOmit<
  Change<T, Catalogue, Money>,
  'command' | 'status'
>;

/**
 * A command on an existing aggregate, named once: the returned function loads
 * and locks the target, checks If-Match, refuses a move the state machine does
 * not allow (`invalid_transition`), then decides and writes through the write
 * unit, recording `command` as the transition. `decide` may throw an AppError
 * to refuse. `inBatch` runs the same command inside an open batch (a
 * subscriber's transaction).
 */
export function defineTransition<T extends DomainTable, Command extends string, Input = void>(
  lifecycle: Lifecycle<T, Command>,
  command: Command,
  decide: (current: AggregateRow<T>, ctx: CommandContext, input: Input) => Decision<T>,
) {
  const change =
    (ctx: CommandContext, input: Input) =>
    (current: AggregateRow<T>): Change<T, Catalogue, Money> => ({
      command,
      status: nextStatus(
        lifecycle.transitions,
        lifecycle.noun,
        current.status as AggregateStatus<T>,
        command,
      ),
      ...decide(current, ctx, input),
    });
  const run = (db: Kysely<DB>, ctx: CommandContext, target: Target, input: Input) =>
    writeUnit.transition(db, ctx, lifecycle.aggregate, target.id, change(ctx, input), target);
  const inBatch = (
    unit: WriteBatch<Catalogue, Money>,
    ctx: CommandContext,
    target: Target,
    input: Input,
  ) => unit.transition(ctx, lifecycle.aggregate, target.id, change(ctx, input), target);
  return Object.assign(run, { inBatch });
}
