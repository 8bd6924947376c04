import { AppError } from '@auditflow/core';

/** command -> the statuses it may start from -> the status it leads to. */
export type TransitionTable<Status extends string, Command extends string> = Record<
  Command,
  { from: readonly Status[]; to: Status }
>;

/**
 * The status a command leads to from `current`. Throws `invalid_transition`
 * (409) when the command is not allowed from there.
 */
export function nextStatus<Status extends string, Command extends string>(
  table: TransitionTable<Status, Command>,
  noun: string,
  current: Status,
  command: Command,
): Status {
  const rule = table[command];
  if (!rule.from.includes(current)) {
    throw new AppError(
      'invalid_transition',
      `Cannot ${command} ${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun} that is ${current}; allowed from ${rule.from.join(' or ')}.`,
    );
  }
  return rule.to;
}
