import { createPayrollRun, submitPayrollRun } from '@auditflow/domain';
import { reconcile } from '@auditflow/operator';
import { describe, expect, it } from 'vitest';
import { aPayrollRun } from '../support/api';
import { attempt } from '../support/attempt';
import { useTestDatabase } from '../support/database';
import { rawCreation, rawTransition } from '../support/raw-history';

/*
 * Lies a writer with the API's credentials might try to commit, each refused
 * by the database with its SQLSTATE. Every attack is one lie away from a raw
 * write that the database accepts (the first test), so each refusal is for
 * the lie. Those that triggers refuse are tried as the owner too: they hold
 * against anyone's DML.
 */
const database = useTestDatabase();

let counter = 0;
const newTenant = () => `attack-${++counter}`;

async function aDraftRun() {
  const tenantId = newTenant();
  const { state } = await createPayrollRun(
    database.db(),
    { tenantId, actor: 'alice', correlationId: 'setup' },
    aPayrollRun,
  );
  return state;
}

const asApi = (statements: string[], tenant: string) =>
  attempt(database.roleUrl('api'), statements, { tenant });
const asOwner = (statements: string[]) => attempt(database.url(), statements);

const submit = (id: string, tenant: string) => ({
  id,
  tenant,
  command: 'submit',
  to: 'SUBMITTED',
  eventType: 'payroll.run_submitted.v1',
});

describe('the database refuses history that lies', () => {
  it('accepts a truthful raw change, so every refusal below is for its lie', async () => {
    const run = await aDraftRun();
    expect(await asApi(rawTransition(submit(run.id, run.tenant_id)), run.tenant_id)).toBeNull();
    const id = crypto.randomUUID();
    const tenant = newTenant();
    const creation = {
      id,
      tenant,
      command: 'create',
      to: 'DRAFT',
      eventType: 'payroll.run_created.v1',
    };
    expect(await asApi(rawCreation(creation), tenant)).toBeNull();
  });

  it('refuses an audit row whose after differs from the row (amount 100 -> 999999)', async () => {
    const run = await aDraftRun();
    const lie = {
      ...submit(run.id, run.tenant_id),
      after: `to_jsonb(r) || '{"gross_total_minor": 999999}'`,
    };
    expect(await asApi(rawTransition(lie), run.tenant_id)).toBe('AF006');
    expect(await asOwner(rawTransition(lie))).toBe('AF006');
  });

  it('refuses an audit row whose before is not the previous version', async () => {
    const run = await aDraftRun();
    const lie = { ...submit(run.id, run.tenant_id), before: `to_jsonb(r)` };
    expect(await asApi(rawTransition(lie), run.tenant_id)).toBe('AF006');
    expect(await asOwner(rawTransition(lie))).toBe('AF006');
  });

  it('refuses a transition whose from_status is not the previous version status', async () => {
    const run = await aDraftRun();
    const lie = { ...submit(run.id, run.tenant_id), from: `'SUBMITTED'` };
    expect(await asApi(rawTransition(lie), run.tenant_id)).toBe('AF006');
  });

  it('refuses DRAFT -> PAID in one step, even with a payroll.run_paid.v1 event', async () => {
    const run = await aDraftRun();
    const lie = {
      id: run.id,
      tenant: run.tenant_id,
      command: 'mark-paid',
      to: 'PAID',
      eventType: 'payroll.run_paid.v1',
    };
    expect(await asApi(rawTransition(lie), run.tenant_id)).toBe('AF007');
    expect(await asOwner(rawTransition(lie))).toBe('AF007');
  });

  it('refuses a row inserted straight at PAID', async () => {
    const tenant = newTenant();
    const lie = {
      id: crypto.randomUUID(),
      tenant,
      command: 'create',
      to: 'PAID',
      eventType: 'payroll.run_created.v1',
    };
    expect(await asApi(rawCreation(lie), tenant)).toBe('AF007');
    expect(await asOwner(rawCreation(lie))).toBe('AF007');
  });

  it('refuses an event type that does not fit the transition (a submit announced as paid)', async () => {
    const run = await aDraftRun();
    const lie = { ...submit(run.id, run.tenant_id), eventType: 'payroll.run_paid.v1' };
    expect(await asApi(rawTransition(lie), run.tenant_id)).toBe('AF007');
  });

  it("refuses a transition that references another aggregate's audit row or event", async () => {
    const run = await aDraftRun();
    const other = await createPayrollRun(
      database.db(),
      { tenantId: run.tenant_id, actor: 'alice', correlationId: 'setup' },
      aPayrollRun,
    );
    const { rows } = await database.sql(
      `SELECT (SELECT id FROM audit_log WHERE entity_id = $1) AS audit,
              (SELECT id FROM outbox WHERE aggregate_id = $1) AS event`,
      [other.state.id],
    );
    const [{ audit, event }] = rows;
    const base = submit(run.id, run.tenant_id);
    expect(await asApi(rawTransition({ ...base, auditId: `'${audit}'` }), run.tenant_id)).toBe(
      'AF006',
    );
    expect(await asApi(rawTransition({ ...base, outboxId: `'${event}'` }), run.tenant_id)).toBe(
      'AF006',
    );
  });

  it("refuses a transition that references another tenant's audit row", async () => {
    const run = await aDraftRun();
    const stranger = await aDraftRun();
    const { rows } = await database.sql('SELECT id FROM audit_log WHERE entity_id = $1', [
      stranger.id,
    ]);
    const lie = { ...submit(run.id, run.tenant_id), auditId: `'${rows[0].id}'` };
    expect(await asApi(rawTransition(lie), run.tenant_id)).toBe('AF006');
    expect(await asOwner(rawTransition(lie))).toBe('AF006');
  });
});

describe('the database refuses undoing what a check verified', () => {
  it('refuses marking an event published in the transaction that wrote it', async () => {
    const run = await aDraftRun();
    const publish = `UPDATE outbox SET status = 'published', published_at = now() WHERE aggregate_id = '${run.id}' AND aggregate_version = 2`;
    const change = rawTransition(submit(run.id, run.tenant_id));
    expect(await asApi([...change, publish], run.tenant_id)).toBe('42501');
    expect(await asOwner([...change, publish])).toBe('AF004');
    expect(await asOwner([...change, 'SET CONSTRAINTS ALL IMMEDIATE', publish])).toBe('AF004');
  });

  it('refuses deleting the event after SET CONSTRAINTS ALL IMMEDIATE ran the checks early', async () => {
    const run = await aDraftRun();
    const change = rawTransition(submit(run.id, run.tenant_id));
    const remove = `DELETE FROM outbox WHERE aggregate_id = '${run.id}' AND aggregate_version = 2`;
    expect(await asApi([...change, 'SET CONSTRAINTS ALL IMMEDIATE', remove], run.tenant_id)).toBe(
      '42501',
    );
    expect(await asOwner([...change, 'SET CONSTRAINTS ALL IMMEDIATE', remove])).toBe('AF004');
  });

  it('refuses rewriting the audit row after SET CONSTRAINTS ALL IMMEDIATE ran the checks early', async () => {
    const run = await aDraftRun();
    const change = rawTransition(submit(run.id, run.tenant_id));
    const rewrite = `UPDATE audit_log SET after = after || '{"gross_total_minor": 1}' WHERE entity_id = '${run.id}'`;
    expect(await asApi([...change, 'SET CONSTRAINTS ALL IMMEDIATE', rewrite], run.tenant_id)).toBe(
      '42501',
    );
    expect(await asOwner([...change, 'SET CONSTRAINTS ALL IMMEDIATE', rewrite])).toBe('AF002');
  });

  it('runs a check again after a savepoint that held its history rolls back', async () => {
    const run = await aDraftRun();
    const [update, ...historyRows] = rawTransition(submit(run.id, run.tenant_id));
    const statements = [
      update as string,
      'SAVEPOINT s',
      ...historyRows,
      'SET CONSTRAINTS ALL IMMEDIATE',
      'ROLLBACK TO SAVEPOINT s',
    ];
    expect(await asApi(statements, run.tenant_id)).toBe('AF001');
  });
});

describe('savepoints', () => {
  it('commits a change written in a released savepoint with its full history', async () => {
    const run = await aDraftRun();
    const change = rawTransition(submit(run.id, run.tenant_id));
    const statements = ['SAVEPOINT s', ...change, 'RELEASE SAVEPOINT s'];
    expect(await asApi(statements, run.tenant_id)).toBeNull();
    const nested = [
      'SAVEPOINT a',
      'SAVEPOINT b',
      ...rawTransition({
        ...submit(run.id, run.tenant_id),
        command: 'cancel',
        to: 'CANCELLED',
        eventType: 'payroll.run_cancelled.v1',
      }),
      'RELEASE SAVEPOINT b',
      'RELEASE SAVEPOINT a',
    ];
    expect(await asApi(nested, run.tenant_id)).toBeNull();
  });
});

describe('the database stamps what the writer must not choose', () => {
  it("refuses an event whose occurred_at or txid the API's role supplies", async () => {
    const run = await aDraftRun();
    const [update, audit, event, transition] = rawTransition(submit(run.id, run.tenant_id));
    const forgedTime = (event as string)
      .replace('actor)', 'actor, occurred_at)')
      .replace("'mallory'\n", "'mallory', now() - interval '30 days'\n");
    expect(forgedTime).toContain('occurred_at)');
    expect(await asApi([update, audit, forgedTime, transition] as string[], run.tenant_id)).toBe(
      '42501',
    );
    const forgedTx = (event as string)
      .replace('actor)', 'actor, txid)')
      .replace("'mallory'\n", "'mallory', '1'\n");
    expect(await asApi([update, audit, forgedTx, transition] as string[], run.tenant_id)).toBe(
      '42501',
    );
  });

  it('stamps occurred_at with the transaction time even for the owner', async () => {
    const run = await aDraftRun();
    const [update, audit, event, transition] = rawTransition(submit(run.id, run.tenant_id));
    const forged = (event as string)
      .replace('actor)', 'actor, occurred_at)')
      .replace("'mallory'\n", "'mallory', now() - interval '30 days'\n");
    expect(await asOwner([update, audit, forged, transition] as string[])).toBeNull();
    const { rows } = await database.sql(
      `SELECT occurred_at > now() - interval '1 hour' AS recent FROM outbox
        WHERE aggregate_id = $1 AND aggregate_version = 2`,
      [run.id],
    );
    expect(rows).toEqual([{ recent: true }]);
  });
});

describe('reconcile cannot be blinded', () => {
  it('refuses a retention horizon from any role but the relay, backwards, or past now()', async () => {
    const insert = (at: string) =>
      `INSERT INTO outbox_retention (singleton, pruned_before) VALUES (true, ${at})
         ON CONFLICT (singleton) DO UPDATE SET pruned_before = excluded.pruned_before`;
    expect(await attempt(database.roleUrl('api'), [insert('now()')])).toBe('42501');
    expect(await attempt(database.roleUrl('operator'), [insert('now()')])).toBe('42501');
    expect(await attempt(database.roleUrl('relay'), [insert("now() + interval '1 day'")])).toBe(
      'AF005',
    );
    expect(
      await attempt(database.roleUrl('relay'), [insert("now() - interval '10 days'")]),
    ).toBeNull();
    expect(await attempt(database.roleUrl('relay'), [insert("now() - interval '20 days'")])).toBe(
      'AF005',
    );
    expect(await attempt(database.roleUrl('relay'), ['DELETE FROM outbox_retention'])).toBe(
      '42501',
    );
    // What the relay may do, it may: the horizon stays 10 days back, far
    // behind every event of this file, so reconcile still checks them all.
    const { mismatches } = await reconcile(database.operatorDb());
    expect(mismatches).toEqual([]);
  });

  it('keeps a submitted run visible to reconcile after every attack above failed', async () => {
    const run = await aDraftRun();
    await submitPayrollRun(
      database.db(),
      { tenantId: run.tenant_id, actor: 'bob', correlationId: 'c' },
      { id: run.id },
    );
    const { rows } = await reconcile(database.operatorDb());
    expect(rows.filter((row) => row.tenantId === run.tenant_id)).toEqual([
      expect.objectContaining({ eventType: 'payroll.run_created.v1', transitions: 1, events: 1 }),
      expect.objectContaining({ eventType: 'payroll.run_submitted.v1', transitions: 1, events: 1 }),
    ]);
  });
});
