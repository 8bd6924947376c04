import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PAYROLL, plantTree, removeTree } from './support';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs the checker the way CI does, on `root`. */
function runChecker(...args: string[]): { status: number | null; stdout: string; output: string } {
  const run = spawnSync('npx', ['tsx', 'packages/one-rule/src/bin.ts', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, output: `${run.stdout}${run.stderr}` };
}

let root: string | undefined;
afterEach(async () => {
  if (root) await removeTree(root);
  root = undefined;
});

describe('the one-rule command', () => {
  it('fails with the violation when a file outside the write unit writes a domain table', async () => {
    root = await plantTree({
      'packages/domain/src/shortcut.ts': `export async function pay(db) {\n  await db.updateTable('${PAYROLL}').set({ status: 'PAID' }).execute();\n}\n`,
      'packages/write-unit/src/domain-rows.ts': `await db.updateTable('${PAYROLL}').execute();\n`,
    });
    const { status, output } = runChecker('--root', root);
    expect(status).toBe(1);
    expect(output).toContain(
      `packages/domain/src/shortcut.ts:2:12  Kysely updateTable('${PAYROLL}') writes a domain table outside the write unit`,
    );
    expect(output).not.toContain('write-unit/persist.ts');
    expect(output).toContain('one-rule: 1 violation in 2 files scanned');
  });

  it('passes with a one-line summary on a clean tree', async () => {
    root = await plantTree({
      'packages/domain/src/read.ts': `await db.selectFrom('${PAYROLL}').selectAll().execute();\n`,
      'packages/write-unit/src/domain-rows.ts': `await db.updateTable('${PAYROLL}').execute();\n`,
    });
    const { status, stdout } = runChecker(`--root=${root}`);
    expect(status).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stdout).toContain('one-rule: OK, 2 files scanned;');
  });

  it('refuses an unknown argument', () => {
    const { status, output } = runChecker('--rot', '.');
    expect(status).toBe(2);
    expect(output).toContain('usage:');
  });
});
