import type { DB, DomainTable } from '@auditflow/db';
import type { eventCatalogue } from '@auditflow/events';
import type { Aggregate, AggregateRow, Change, CommandContext } from '@auditflow/write-unit';
import type { Kysely } from 'kysely';
import { writeUnit } from '../domain-write-unit';
import type { Target } from './command';

type Catalogue = typeof eventCatalogue;

/**
 * A command on an existing aggregate, from its decision alone: the returned
 * function loads and locks the target, checks If-Match, decides and writes
 * through the write unit. `decide` may throw an AppError to refuse.
 */
export function defineTransition<T extends DomainTable, Input = void>(
  aggregate: Aggregate<T>,
  decide: (current: AggregateRow<T>, ctx: CommandContext, input: Input) => Change<T, Catalogue>,
) {
  return (db: Kysely<DB>, ctx: CommandContext, target: Target, input: Input) =>
    writeUnit.transition(
      db,
      ctx,
      aggregate,
      target.id,
      (current) => decide(current, ctx, input),
      target,
    );
}
