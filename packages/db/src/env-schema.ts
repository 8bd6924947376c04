import type { core } from 'zod/mini';
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// Environment variables are parsed with zod/mini, not classic zod: a Lambda
// that validates no request bodies (the relay) would otherwise bundle all of
// zod, locales included (about 0.45 MiB; see docs/benchmarks.md, cold-start).
// zod/mini carries no messages of its own (every problem would read "Invalid
// input") so it gets the English ones, which classic zod sets as well.
config(en());

/** The JSON in environment variable `name`; a clear error, without the value, when it is not JSON. */
export function parseJsonVariable(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text, which may hold a password.
    throw new Error(`${name} is not JSON.`);
  }
}

/** Every problem in `error` on one line, each after the variable it concerns. */
export function describeEnvError(error: core.$ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || '(value)'}: ${issue.message}`)
    .join('; ');
}
