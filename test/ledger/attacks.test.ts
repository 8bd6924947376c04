import {
  approvePayrollRun,
  createPayrollRun,
  markPayrollRunPaid,
  submitPayrollRun,
} from '@auditflow/domain';
import { describe, expect, it } from 'vitest';
import { aPayrollRun } from '../support/api';
import { attempt } from '../support/attempt';
import { useTestDatabase } from '../support/database';
import {
  rawBookedPayment,
  rawEntry,
  rawOpenAccounts,
  rawPayment,
  rawPostings,
} from '../support/raw-books';
import { rawTransition } from '../support/raw-history';

/*
 * Books a writer with the API's credentials might try to commit, each
 * refused by the database with its SQLSTATE. Every attack is one lie away
 * from a raw booked payment the database accepts (the first test).
 */
const database = useTestDatabase();

let counter = 0;
const newTenant = () => `books-attack-${++counter}`;

async function anApprovedRun() {
  const tenantId = newTenant();
  const ctx = (actor: string) => ({ tenantId, actor, correlationId: 'setup' });
  const { state } = await createPayrollRun(database.db(), ctx('alice'), aPayrollRun);
  await submitPayrollRun(database.db(), ctx('alice'), { id: state.id }, undefined);
  await approvePayrollRun(database.db(), ctx('bob'), { id: state.id }, undefined);
  return { runId: state.id, tenant: tenantId, entryId: crypto.randomUUID() };
}

/** A run paid through the write unit: its entry and event committed long ago. */
async function aPaidRun() {
  const run = await anApprovedRun();
  await markPayrollRunPaid(
    database.db(),
    { tenantId: run.tenant, actor: 'bob', correlationId: 'setup' },
    { id: run.runId },
    undefined,
  );
  const { rows } = await database.sql(
    `SELECT e.id, e.event_id, e.audit_id FROM ledger_entries e WHERE e.tenant_id = $1`,
    [run.tenant],
  );
  return { ...run, entry: rows[0] as { id: string; event_id: string; audit_id: string } };
}

const asApi = (statements: string[], tenant: string) =>
  attempt(database.roleUrl('api'), statements, { tenant });
const asOwner = (statements: string[]) => attempt(database.url(), statements);

describe('the database refuses books that do not balance or do not belong', () => {
  it('accepts a truthful raw booked payment, so every refusal below is for its lie', async () => {
    const run = await anApprovedRun();
    expect(await asApi(rawBookedPayment(run), run.tenant)).toBeNull();
  });

  it('refuses an entry whose debits and credits differ, from anyone (AF020)', async () => {
    const run = await anApprovedRun();
    const postings = `('wages-expense', 'debit', 100, 'EUR'), ('funding-cash', 'credit', 99, 'EUR')`;
    expect(await asApi(rawBookedPayment({ ...run, postings }), run.tenant)).toBe('AF020');
    expect(await asOwner(rawBookedPayment({ ...run, postings }))).toBe('AF020');
  });

  it('refuses an entry that balances in total but not per currency (AF020)', async () => {
    const run = await anApprovedRun();
    const postings = `('wages-expense', 'debit', 100, 'EUR'), ('funding-cash', 'credit', 100, 'USD')`;
    const statements = rawBookedPayment({ ...run, postings });
    statements.splice(-2, 0, rawOpenAccounts(run.tenant, 'USD'));
    expect(await asApi(statements, run.tenant)).toBe('AF020');
  });

  it("refuses a posting in another currency than its account's (AF021)", async () => {
    const run = await anApprovedRun();
    // The EUR accounts, posted in USD on both sides: balanced, but not in their currency.
    const postings = `('wages-expense', 'debit', 100, 'USD'), ('funding-cash', 'credit', 100, 'USD')`;
    expect(await asApi(rawBookedPayment({ ...run, postings }), run.tenant)).toBe('AF021');
  });

  it('refuses negative, zero and unsafe amounts, and amounts beyond bigint (23514, 22003)', async () => {
    for (const [amount, code] of [
      ['-100', '23514'],
      ['0', '23514'],
      ['9007199254740992', '23514'],
      ['9223372036854775808', '22003'],
    ] as const) {
      const run = await anApprovedRun();
      const postings = `('wages-expense', 'debit', ${amount}, 'EUR'), ('funding-cash', 'credit', ${amount}, 'EUR')`;
      expect(await asApi(rawBookedPayment({ ...run, postings }), run.tenant), amount).toBe(code);
    }
  });

  it('sums in numeric: an entry of the largest amounts many times over balances exactly', async () => {
    const run = await anApprovedRun();
    const max = '9007199254740991';
    const debits = Array.from({ length: 2000 }, () => `('wages-expense', 'debit', ${max}, 'EUR')`);
    const credits = Array.from({ length: 2000 }, () => `('funding-cash', 'credit', ${max}, 'EUR')`);
    const postings = [...debits, ...credits].join(', ');
    expect(await asApi(rawBookedPayment({ ...run, postings }), run.tenant)).toBeNull();
  });

  it('refuses postings added to an entry in a second statement (AF020)', async () => {
    const run = await anApprovedRun();
    const more = rawPostings(run);
    expect(await asApi([...rawBookedPayment(run), more], run.tenant)).toBe('AF020');
  });

  it('refuses postings to an entry of another, committed transaction (AF020)', async () => {
    const paid = await aPaidRun();
    const late = rawPostings({ ...paid, entryId: paid.entry.id });
    expect(await asApi([late], paid.tenant)).toBe('AF020');
  });

  it('refuses a posting to another tenant’s account: invisible to it, and not its own (AF021)', async () => {
    const victim = await aPaidRun();
    const run = await anApprovedRun();
    const postings = `('wages-expense', 'debit', 100, 'EUR'), ('funding-cash', 'credit', 100, 'EUR')`;
    const { rows } = await database.sql(
      `SELECT id FROM ledger_accounts WHERE tenant_id = $1 AND code = 'funding-cash'`,
      [victim.tenant],
    );
    const theirs = (rows[0] as { id: string }).id;
    const statements = [
      ...rawPayment(run),
      rawOpenAccounts(run.tenant),
      rawEntry(run),
      `INSERT INTO ledger_postings (id, tenant_id, entry_id, account_id, side, amount_minor, currency)
       SELECT gen_random_uuid(), '${run.tenant}', '${run.entryId}',
              CASE WHEN v.code = 'funding-cash' THEN '${theirs}'::uuid ELSE a.id END, v.side, v.amount, 'EUR'
         FROM (VALUES ${postings}) AS v(code, side, amount, currency)
         JOIN ledger_accounts a ON a.code = v.code`,
    ];
    expect(await asApi(statements, run.tenant)).toBe('AF021');
    // Writing in its name is row-level security's to refuse.
    const forged = [
      `INSERT INTO ledger_accounts (id, tenant_id, code, type, currency)
       VALUES (gen_random_uuid(), '${victim.tenant}', 'funding-cash', 'asset', 'USD')`,
    ];
    expect(await asApi(forged, run.tenant)).toBe('42501');
  });

  it('refuses updating or deleting postings and entries, and touching the running balances (42501; AF002 as owner)', async () => {
    const paid = await aPaidRun();
    const edits = [
      `UPDATE ledger_postings SET amount_minor = 1 WHERE entry_id = '${paid.entry.id}'`,
      `DELETE FROM ledger_postings WHERE entry_id = '${paid.entry.id}'`,
      `UPDATE ledger_entries SET description = 'nothing happened' WHERE id = '${paid.entry.id}'`,
      `DELETE FROM ledger_entries WHERE id = '${paid.entry.id}'`,
      `TRUNCATE ledger_postings`,
    ];
    for (const edit of edits) {
      expect(await asApi([edit], paid.tenant), edit).toBe('42501');
      expect(await asOwner([edit]), edit).toBe('AF002');
    }
    expect(
      await asApi(
        [`UPDATE ledger_accounts SET debits_posted = 0 WHERE tenant_id = '${paid.tenant}'`],
        paid.tenant,
      ),
    ).toBe('42501');
    expect(await asApi([`DELETE FROM ledger_accounts`], paid.tenant)).toBe('42501');
    expect(
      await asApi(
        [`INSERT INTO ledger_limits VALUES ('${paid.tenant}', 'ewa-receivable', '*', 999999999)`],
        paid.tenant,
      ),
    ).toBe('42501');
  });

  it('refuses a money-moving change without its entry (AF023)', async () => {
    const run = await anApprovedRun();
    expect(await asApi(rawPayment(run), run.tenant)).toBe('AF023');
    expect(await asOwner(rawPayment(run))).toBe('AF023');
  });

  it('refuses an entry without its change: for an old event, for a random one, for one that moves no money (AF023)', async () => {
    const paid = await aPaidRun();
    const replayed = rawEntry({
      ...paid,
      entryId: crypto.randomUUID(),
      eventId: `'${paid.entry.event_id}'`,
    });
    // The subquery finds the old event's row; the entry is refused for it.
    expect(await asApi([replayed], paid.tenant)).toBe('AF023');
    const random = `INSERT INTO ledger_entries (id, tenant_id, description, event_id, audit_id, correlation_id)
      VALUES (gen_random_uuid(), '${paid.tenant}', 'out of thin air', gen_random_uuid(), gen_random_uuid(), 'c')`;
    expect(await asApi([random], paid.tenant)).toBe('AF023');

    const run = await anApprovedRun();
    // A cancel moves no money: an entry for its event is refused.
    const draft = await createPayrollRun(
      database.db(),
      { tenantId: run.tenant, actor: 'alice', correlationId: 'setup' },
      aPayrollRun,
    );
    const cancel = rawTransition({
      id: draft.state.id,
      tenant: run.tenant,
      command: 'cancel',
      to: 'CANCELLED',
      eventType: 'payroll.run_cancelled.v1',
    });
    const entryForCancel = `INSERT INTO ledger_entries (id, tenant_id, description, event_id, audit_id, correlation_id)
      SELECT gen_random_uuid(), o.tenant_id, 'cancel', o.id, a.id, o.correlation_id
        FROM outbox o JOIN audit_log a ON a.entity_id = o.aggregate_id AND a.entity_version = o.aggregate_version
       WHERE o.aggregate_id = '${draft.state.id}' AND o.event_type = 'payroll.run_cancelled.v1'`;
    expect(await asApi([...cancel, entryForCancel], run.tenant)).toBe('AF023');
  });

  it('refuses an entry without postings, however early its check is made to run (AF020)', async () => {
    const run = await anApprovedRun();
    const headerOnly = [...rawPayment(run), rawOpenAccounts(run.tenant), rawEntry(run)];
    expect(await asApi(headerOnly, run.tenant)).toBe('AF020');
    expect(await asApi([...headerOnly, 'SET CONSTRAINTS ALL IMMEDIATE'], run.tenant)).toBe('AF020');
  });

  it('cannot be talked round by SET CONSTRAINTS ALL IMMEDIATE: a check run early is not undone later', async () => {
    const run = await anApprovedRun();
    // Every check passes early; an extra posting afterwards is still refused.
    const unbalanceLater = [
      ...rawBookedPayment(run),
      'SET CONSTRAINTS ALL IMMEDIATE',
      'SET CONSTRAINTS ALL DEFERRED',
      rawPostings({ ...run, postings: `('wages-expense', 'debit', 1, 'EUR')` }),
    ];
    expect(await asApi(unbalanceLater, run.tenant)).toBe('AF020');

    // The entry's check passes inside a savepoint, which is then rolled back
    // with the entry: the check is re-armed, and the commit refused.
    const rolledBack = [
      ...rawPayment(run),
      'SAVEPOINT booked',
      rawOpenAccounts(run.tenant),
      rawEntry(run),
      rawPostings(run),
      'SET CONSTRAINTS ALL IMMEDIATE',
      'ROLLBACK TO SAVEPOINT booked',
      'SET CONSTRAINTS ALL DEFERRED',
    ];
    expect(await asApi(rolledBack, run.tenant)).toBe('AF023');
  });
});
