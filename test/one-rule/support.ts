import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DOMAIN_TABLES } from '@auditflow/db';
import { ALLOWED_GLOBS, findViolations, type Violation } from '@auditflow/one-rule';

// Fixtures take the table names from the schema at run time, so that this
// test code does not itself write a domain table in the checker's eyes.
export const [PAYROLL, EWA] = DOMAIN_TABLES;

/** A file of application code, outside every allowed location. */
export const APP_FILE = 'packages/domain/src/payroll/commands.ts';

/** Checks one in-memory file as the repository's checker would. */
export function check(text: string, filePath = APP_FILE): Violation[] {
  return findViolations({
    files: [{ path: filePath, text }],
    domainTables: DOMAIN_TABLES,
    allowedGlobs: ALLOWED_GLOBS,
  });
}

/** `line:column kind` of each violation, for compact expectations. */
export function places(violations: readonly Violation[]): string[] {
  return violations.map((v) => `${v.line}:${v.column} ${v.kind}`);
}

/** Writes `files` (relative path → text) under a new temporary folder and returns it. */
export async function plantTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'one-rule-'));
  for (const [relative, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
    await writeFile(path.join(root, relative), text);
  }
  return root;
}

export async function removeTree(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}
