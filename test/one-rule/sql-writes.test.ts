import { DOMAIN_TABLES } from '@auditflow/db';
import { findSqlWrites } from '@auditflow/one-rule';
import { describe, expect, it } from 'vitest';
import { check, EWA, PAYROLL, places } from './support';

/** The statements `text`, taken as one literal at offset 0, is seen to write. */
function writes(text: string): string[] {
  const pieces = [{ text, start: 0, exact: true }];
  return findSqlWrites(pieces, new Set(DOMAIN_TABLES)).map((w) => `${w.offset} ${w.statement}`);
}

describe('raw SQL writes', () => {
  it('flags every statement that writes a domain table', () => {
    expect(writes(`INSERT INTO ${PAYROLL} (id) VALUES ($1)`)).toEqual([`0 INSERT INTO ${PAYROLL}`]);
    expect(writes(`UPDATE ${PAYROLL} SET status = 'PAID'`)).toEqual([`0 UPDATE ${PAYROLL}`]);
    expect(writes(`UPDATE ONLY ${EWA} SET version = 2`)).toEqual([`0 UPDATE ${EWA}`]);
    expect(writes(`DELETE FROM ${EWA} WHERE id = $1`)).toEqual([`0 DELETE FROM ${EWA}`]);
    expect(writes(`DELETE FROM ONLY ${EWA}`)).toEqual([`0 DELETE FROM ${EWA}`]);
    expect(writes(`TRUNCATE ${PAYROLL}`)).toEqual([`0 TRUNCATE ${PAYROLL}`]);
    expect(writes(`TRUNCATE TABLE audit_log, ONLY ${EWA} * CASCADE`)).toEqual([
      `0 TRUNCATE ${EWA}`,
    ]);
    expect(writes(`MERGE INTO ${PAYROLL} t USING s ON t.id = s.id`)).toEqual([
      `0 MERGE INTO ${PAYROLL}`,
    ]);
    expect(writes(`COPY ${PAYROLL} (id, status) FROM STDIN`)).toEqual([`0 COPY ${PAYROLL} … FROM`]);
    expect(writes(`ALTER TABLE IF EXISTS ONLY ${PAYROLL} DISABLE TRIGGER ALL`)).toEqual([
      `0 ALTER TABLE ${PAYROLL} … DISABLE TRIGGER`,
    ]);
  });

  it('matches keywords in any case with newlines and comments between them', () => {
    const text = `  uPdAtE\n  -- why not\n  /* nested /* block */ comment */ ${PAYROLL}\n  SET x = 1`;
    expect(writes(text)).toEqual([`2 UPDATE ${PAYROLL}`]);
    expect(writes(`insert\n\tinto\n${EWA} default values`)).toEqual([`0 INSERT INTO ${EWA}`]);
  });

  it('sees through a schema prefix and double quotes', () => {
    expect(writes(`DELETE FROM public."${PAYROLL}"`)).toEqual([`0 DELETE FROM ${PAYROLL}`]);
    expect(writes(`UPDATE "public" . "${EWA}" SET x = 1`)).toEqual([`0 UPDATE ${EWA}`]);
  });

  it('flags a write hidden in a string that a DO block executes', () => {
    expect(writes(`DO $$ BEGIN EXECUTE 'DELETE FROM ${PAYROLL}'; END $$`)).toEqual([
      `21 DELETE FROM ${PAYROLL}`,
    ]);
  });

  it('does not flag reads, locks or trigger definitions on a domain table', () => {
    expect(writes(`SELECT * FROM ${PAYROLL} WHERE id = $1 FOR UPDATE OF ${PAYROLL}`)).toEqual([]);
    expect(writes(`SELECT 1 FROM ${PAYROLL} FOR NO KEY UPDATE SKIP LOCKED`)).toEqual([]);
    expect(writes(`COPY ${PAYROLL} TO STDOUT`)).toEqual([]);
    expect(
      writes(`CREATE TRIGGER g BEFORE INSERT OR UPDATE OR DELETE ON ${PAYROLL} FOR EACH ROW`),
    ).toEqual([]);
    expect(writes(`GRANT SELECT, UPDATE ON ${PAYROLL} TO app`)).toEqual([]);
    expect(writes(`ALTER TABLE ${PAYROLL} ENABLE TRIGGER ALL`)).toEqual([]);
  });

  it('does not flag writes of non-domain tables', () => {
    expect(
      writes(
        `INSERT INTO idempotency_keys (k) VALUES ($1) ON CONFLICT (k) DO UPDATE SET seen = now()`,
      ),
    ).toEqual([]);
    expect(writes('UPDATE outbox SET status = $1; DELETE FROM state_transitions')).toEqual([]);
  });

  it('does not flag a mere mention of a domain table', () => {
    expect(writes(`the ${PAYROLL} table holds business state`)).toEqual([]);
  });
});

describe('raw SQL in source files', () => {
  it('flags a kysely sql template, sql.raw and a pg client query', () => {
    const code = [
      `await sql\`UPDATE ${PAYROLL} SET status = 'PAID'\`.execute(db);`,
      `await sql.raw('DELETE FROM ${EWA}').execute(db);`,
      `await client.query("INSERT INTO ${PAYROLL} (id) VALUES ($1)", [id]);`,
    ].join('\n');
    expect(places(check(code))).toEqual(['1:11 sql-write', '2:16 sql-write', '3:21 sql-write']);
  });

  it('flags a template whose table comes from sql.table, sql.id or sql.ref', () => {
    const code = [
      `sql\`UPDATE \${sql.table('${PAYROLL}')} SET x = 1\`;`,
      `sql\`DELETE FROM \${sql.id('public', '${EWA}')}\`;`,
      `sql\`INSERT INTO \${sql.ref('${PAYROLL}')} DEFAULT VALUES\`;`,
    ].join('\n');
    expect(places(check(code))).toEqual(['1:5 sql-write', '2:5 sql-write', '3:5 sql-write']);
  });

  it('flags a template whose table comes from a const of the same file', () => {
    const code = `const table = '${EWA}';\nawait pool.query(\`TRUNCATE \${table}\`);`;
    expect(places(check(code))).toEqual(['2:19 sql-write']);
  });

  it('is not fooled by concatenating adjacent literals', () => {
    const code = [
      `client.query('INSERT INTO ' + '${PAYROLL}' + ' (id) VALUES ($1)');`,
      `client.query('UPDATE ${PAYROLL.slice(0, 4)}' + '${PAYROLL.slice(4)} SET x = 1');`,
      `client.query(('DELETE ' + \`FROM\`) + (' ' + '${EWA}'));`,
    ].join('\n');
    expect(places(check(code))).toEqual(['1:15 sql-write', '2:15 sql-write', '3:16 sql-write']);
  });

  it('is not fooled by a statement spread over lines with comments', () => {
    const code = `await sql\`\n  -- reset\n  update /* only this */ only\n    public."${PAYROLL}"\n  set status = 'DRAFT'\n\`.execute(db);`;
    expect(places(check(code))).toEqual(['3:3 sql-write']);
  });

  it('reports a write held in a const once, where it is written', () => {
    const code = `const Q = 'DELETE FROM ${PAYROLL}';\nawait client.query(Q);\nawait client.query(\`\${Q} WHERE id = $1\`);`;
    expect(places(check(code))).toEqual(['1:12 sql-write']);
  });

  it('does not flag queries that only read a domain table', () => {
    const code = `await sql\`SELECT * FROM ${PAYROLL} WHERE id = \${id} FOR UPDATE\`.execute(db);`;
    expect(check(code)).toEqual([]);
  });

  it('does not flag a comment that mentions a write', () => {
    expect(
      check(`// never UPDATE ${PAYROLL} here: use the write unit\n/* DELETE FROM ${EWA} */`),
    ).toEqual([]);
  });
});
