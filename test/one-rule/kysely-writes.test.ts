import { describe, expect, it } from 'vitest';
import { check, EWA, PAYROLL, places } from './support';

describe('Kysely builder writes', () => {
  it('flags an updateTable on a domain table outside the write unit', () => {
    const violations = check(
      `export async function approve(db) {\n  await db.updateTable('${PAYROLL}').set({ status: 'APPROVED' }).execute();\n}\n`,
    );
    expect(violations).toEqual([
      {
        path: 'packages/domain/src/payroll/commands.ts',
        line: 2,
        column: 12,
        kind: 'builder-write',
        message: `Kysely updateTable('${PAYROLL}') writes a domain table outside the write unit`,
      },
    ]);
  });

  it.each(['insertInto', 'replaceInto', 'deleteFrom', 'mergeInto'])(
    'flags a %s on a domain table',
    (method) => {
      expect(places(check(`await trx.${method}('${EWA}').execute();`))).toEqual([
        '1:11 builder-write',
      ]);
    },
  );

  it('flags an aliased, schema-qualified or double-quoted table argument', () => {
    const code = [
      `db.updateTable('${PAYROLL} as p');`,
      `db.deleteFrom('public.${PAYROLL}');`,
      `db.insertInto("${EWA}");`,
    ].join('\n');
    expect(places(check(code))).toEqual([
      '1:4 builder-write',
      '2:4 builder-write',
      '3:4 builder-write',
    ]);
  });

  it('flags a table given as a template literal without substitutions', () => {
    expect(places(check(`db.insertInto(\`${PAYROLL}\`).values(row);`))).toEqual([
      '1:4 builder-write',
    ]);
  });

  it('flags a table name held in a const of the same file', () => {
    const code = `const t = '${PAYROLL}';\nexport const run = (db) => db.updateTable(t).set({ version: 2 });`;
    expect(places(check(code))).toEqual(['2:31 builder-write']);
  });

  it('flags a table named in an array argument', () => {
    expect(places(check(`db.deleteFrom(['audit_log', '${EWA}']);`))).toEqual(['1:4 builder-write']);
  });

  it('is not fooled by a chain split across lines with a comment before the parenthesis', () => {
    const code = `await db\n  .selectFrom('x')\n  .updateTable /* sneaky */ (\n    '${PAYROLL}',\n  );`;
    expect(places(check(code))).toEqual(['3:4 builder-write']);
  });

  it('is not fooled by extra parentheses and type assertions', () => {
    const code = `await ((db as any)!.insertInto)(('${PAYROLL}' as const) satisfies string);`;
    expect(places(check(code))).toEqual(['1:21 builder-write']);
  });

  it('is not fooled by bracket access, optional chaining, call or apply', () => {
    const code = [
      `db['insertInto']('${PAYROLL}');`,
      `db[\`deleteFrom\`]('${PAYROLL}');`,
      `db?.updateTable('${PAYROLL}');`,
      `db.insertInto.call(db, '${PAYROLL}');`,
      `db.updateTable.apply(db, ['${PAYROLL}']);`,
    ].join('\n');
    expect(places(check(code))).toEqual([
      '1:4 builder-write',
      '2:4 builder-write',
      '3:5 builder-write',
      '4:4 builder-write',
      '5:4 builder-write',
    ]);
  });

  it('does not flag writes of the audit, outbox and other non-domain tables', () => {
    const code = ['audit_log', 'outbox', 'idempotency_keys', 'state_transitions']
      .map((table) => `await trx.insertInto('${table}').values(row).execute();`)
      .join('\n');
    expect(check(code)).toEqual([]);
  });

  it('does not flag reads of a domain table', () => {
    const code = `await db.selectFrom('${PAYROLL} as p').selectAll().where('p.id', '=', id).forUpdate().execute();`;
    expect(check(code)).toEqual([]);
  });

  it('does not flag a table name that only exists at run time', () => {
    expect(check('export const touch = (db, table) => db.updateTable(table);')).toEqual([]);
  });
});
