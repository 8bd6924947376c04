import { listSourceFiles, scanRepository } from '@auditflow/one-rule';
import { afterEach, describe, expect, it } from 'vitest';
import { EWA, PAYROLL, plantTree, removeTree } from './support';

const WRITE = `await db.deleteFrom('${EWA}').execute();\n`;

let root: string | undefined;
afterEach(async () => {
  if (root) await removeTree(root);
  root = undefined;
});

describe('scanRepository', () => {
  it('finds a planted write among the source files of every kind', async () => {
    root = await plantTree({
      'packages/domain/src/ok.ts': 'export const x = 1;\n',
      'packages/domain/src/cheat.mts': `// a planted violation\n${WRITE}`,
      'functions/api/seed.cjs': `module.exports = (c) => c.query('UPDATE ${PAYROLL} SET x = 1');\n`,
      'packages/write-unit/src/domain-rows.ts': WRITE,
      'migrations/0009-backfill.ts': WRITE,
    });
    const result = await scanRepository(root);
    expect(result.filesScanned).toBe(5);
    expect(result.violations.map((v) => `${v.path}:${v.line}:${v.column} ${v.kind}`)).toEqual([
      'functions/api/seed.cjs:1:34 sql-write',
      'packages/domain/src/cheat.mts:2:10 builder-write',
    ]);
  });

  it('skips installed, generated and local-data folders, and prose', async () => {
    root = await plantTree({
      'src/kept.ts': '',
      'node_modules/pkg/index.js': WRITE,
      'packages/db/node_modules/pkg/index.js': WRITE,
      '.sst/platform/x.ts': WRITE,
      '.data/pg/x.js': WRITE,
      'packages/domain/dist/index.js': WRITE,
      'coverage/x.js': WRITE,
      'bench/results/run.mjs': WRITE,
      'bench/write.ts': '',
      'docs/howto.md': `Never run \`UPDATE ${PAYROLL}\` by hand.\n`,
      'config.json': `{ "sql": "DELETE FROM ${EWA}" }`,
    });
    expect(await listSourceFiles(root)).toEqual(['bench/write.ts', 'src/kept.ts']);
    expect((await scanRepository(root)).violations).toEqual([]);
  });
});
