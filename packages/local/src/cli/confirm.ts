import { createInterface } from 'node:readline/promises';

/** Above this many rows a change needs a confirmation (or --yes), unless OUTBOX_CONFIRM_ABOVE says otherwise. */
export const DEFAULT_CONFIRM_ABOVE = 100;

/** OUTBOX_CONFIRM_ABOVE: a whole number of rows, 0 or more; throws naming it otherwise. */
export function confirmAboveFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.OUTBOX_CONFIRM_ABOVE;
  if (text === undefined || text === '') return DEFAULT_CONFIRM_ABOVE;
  if (!/^\d+$/.test(text)) throw new Error('OUTBOX_CONFIRM_ABOVE must be a whole number of rows.');
  return Number(text);
}

/** Where a confirmation is asked: the terminal, or a test's stand-in. */
export interface Prompt {
  /** Whether a person can answer (standard input is a terminal). */
  interactive: boolean;
  ask(question: string): Promise<string>;
}

export const terminalPrompt = (): Prompt => ({
  interactive: process.stdin.isTTY === true,
  async ask(question) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
});

export type Confirmation = 'go' | 'declined' | 'refused';

/**
 * Whether a change of `count` rows may go ahead: at or under the cap, or
 * with --yes, it may; above it a person is asked, and without a terminal to
 * ask on it is refused (a script must say --yes).
 */
export async function confirmChange(options: {
  count: number;
  cap: number;
  yes: boolean;
  question: string;
  prompt: Prompt;
}): Promise<Confirmation> {
  if (options.count <= options.cap || options.yes) return 'go';
  if (!options.prompt.interactive) return 'refused';
  const answer = await options.prompt.ask(`${options.question} [y/N] `);
  return /^y(es)?$/i.test(answer.trim()) ? 'go' : 'declined';
}
