import { DOMAIN_TABLES } from '@auditflow/db';
import { ALLOWED_GLOBS, findViolations, isAllowed } from '@auditflow/one-rule';
import { describe, expect, it } from 'vitest';
import { check, EWA, PAYROLL, places } from './support';

const WRITE = `await db.updateTable('${PAYROLL}').set({ status: 'PAID' }).execute();`;

describe('findViolations', () => {
  it('does not flag the write unit or the migrations', () => {
    expect(check(WRITE, 'packages/write-unit/src/domain-rows.ts')).toEqual([]);
    expect(check(`await sql\`TRUNCATE ${EWA}\`.execute(db);`, 'migrations/0003-x.ts')).toEqual([]);
  });

  it('flags the same write anywhere else, even next to the write unit', () => {
    for (const file of [
      'packages/relay/src/statements.ts',
      'packages/write-unit/src/define-write-unit.ts',
      'packages/write-unit/src/append-history.ts',
      'migrations/support/backfill.ts',
      'functions/api/payroll-runs/approve.ts',
      'test/support/ledger.ts',
      'sst.config.ts',
      'packages/local/src/seed.mjs',
    ]) {
      expect(places(check(WRITE, file)), file).toEqual(['1:10 builder-write']);
    }
  });

  it('treats the allowed globs as paths from the repository root', () => {
    expect(isAllowed('migrations/0001-core-tables.ts', ALLOWED_GLOBS)).toBe(true);
    expect(isAllowed('packages/db/migrations/0001.ts', ALLOWED_GLOBS)).toBe(false);
  });

  it('does not flag a comment or a string that merely names a domain table', () => {
    const code = [
      `// the write unit is the only code that may UPDATE ${PAYROLL}`,
      `const label = '${PAYROLL}';`,
      `type Table = '${EWA}';`,
      `log.info('loaded', { table: '${EWA}' });`,
    ].join('\n');
    expect(check(code)).toEqual([]);
  });

  it('parses TSX, JSX and CommonJS files', () => {
    const tsx = `export const C = () => <b>{String(db.deleteFrom('${EWA}'))}</b>;`;
    const cjs = `const sql = require('x');\nmodule.exports = () => sql.raw('UPDATE ${PAYROLL} SET x = 1');`;
    expect(places(check(tsx, 'packages/local/src/view.tsx'))).toEqual(['1:38 builder-write']);
    expect(places(check(cjs, 'scripts/fix.cjs'))).toEqual(['2:33 sql-write']);
  });

  it('reports a file it cannot parse, since it cannot show that file keeps the rule', () => {
    const violations = check('export const = ;;; {');
    expect(violations).toHaveLength(1);
    expect(violations[0]?.kind).toBe('unparsable');
  });

  it('returns the violations of many files sorted by path and position', () => {
    const violations = findViolations({
      files: [
        { path: 'b.ts', text: `x;\n${WRITE}` },
        { path: 'a.ts', text: `${WRITE} ${WRITE}` },
      ],
      domainTables: DOMAIN_TABLES,
      allowedGlobs: ALLOWED_GLOBS,
    });
    expect(violations.map((v) => `${v.path}:${v.line}:${v.column}`)).toEqual([
      'a.ts:1:10',
      `a.ts:1:${WRITE.length + 1 + 10}`,
      'b.ts:2:10',
    ]);
  });
});

describe('the one-rule-allow escape hatch', () => {
  it('suppresses a violation when the comment stands on the line above', () => {
    expect(
      check(`// one-rule-allow: proves the database refuses an unaudited write\n${WRITE}`),
    ).toEqual([]);
  });

  it('suppresses a violation when the comment ends the offending line', () => {
    expect(check(`${WRITE} // one-rule-allow: deliberate cheat for the trigger test`)).toEqual([]);
    expect(check(`${WRITE} /* one-rule-allow: block comments work too */`)).toEqual([]);
  });

  it('suppresses a write spread over lines when the comment stands above its statement', () => {
    const code = `// one-rule-allow: the database must refuse this\nawait client.query(\n  'UPDATE ${PAYROLL} SET status = $1',\n  ['PAID'],\n);`;
    expect(check(code)).toEqual([]);
  });

  it('suppresses only the one violation it stands above', () => {
    const code = `// one-rule-allow: the first cheat is on purpose\n${WRITE}\n\n${WRITE}`;
    expect(places(check(code))).toEqual(['4:10 builder-write']);
  });

  it('does not reach into a function below it', () => {
    const code = `// one-rule-allow: covers this line only\nexport const f = () =>\n  sql\`DELETE FROM ${EWA}\`;`;
    expect(places(check(code))).toEqual(['3:7 sql-write']);
  });

  it('requires a reason, and a marker without one suppresses nothing', () => {
    for (const marker of ['// one-rule-allow:', '// one-rule-allow:   ', '// one-rule-allow']) {
      const violations = check(`${marker}\n${WRITE}`);
      expect(places(violations), marker).toEqual([
        '1:1 allow-without-reason',
        '2:10 builder-write',
      ]);
      expect(violations[0]?.message).toContain('without a reason');
    }
  });

  it('ignores similar words that are not the marker', () => {
    expect(places(check(`// one-rule-allowed: not the marker\n${WRITE}`))).toEqual([
      '2:10 builder-write',
    ]);
  });
});
