import type { LoginRole } from '@auditflow/db';
import { createPayrollRun } from '@auditflow/domain';
import { describe, expect, it } from 'vitest';
import { aPayrollRun } from '../support/api';
import { attempt } from '../support/attempt';
import { useTestDatabase } from '../support/database';
import { LOGIN_ROLE_NAMES } from '../support/roles';

/*
 * What an owner or a superuser could do to switch the guarantee off, tried
 * with each login role's credentials: every attempt is refused with
 * insufficient_privilege (42501).
 */
const database = useTestDatabase();

const OWNER_ATTACKS: [string, string][] = [
  // one-rule-allow: an attack the database must refuse
  ['disabling the triggers', 'ALTER TABLE payroll_runs DISABLE TRIGGER ALL'],
  ['switching row-level security off', 'ALTER TABLE payroll_runs NO FORCE ROW LEVEL SECURITY'],
  [
    'a child table whose rows the API would serve',
    'CREATE TABLE sneaky () INHERITS (payroll_runs)',
  ],
  ['a temporary table', 'CREATE TEMP TABLE shadow (id int)'],
  ['a function of its own', 'CREATE FUNCTION mine() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'],
  [
    'replacing a check',
    'CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$',
  ],
  ['dropping a check', 'DROP FUNCTION require_audited_change()'],
  ['replica mode, which skips every trigger', 'SET session_replication_role = replica'],
  ['running a program on the server', "COPY (SELECT 1) TO PROGRAM 'true'"],
  // one-rule-allow: an attack the database must refuse
  ['truncating a domain table', 'TRUNCATE payroll_runs'],
  ['truncating the outbox', 'TRUNCATE outbox'],
  ['deleting audit rows', 'DELETE FROM audit_log'],
  ['deleting transitions', 'DELETE FROM state_transitions'],
  // one-rule-allow: an attack the database must refuse
  ['deleting domain rows', 'DELETE FROM payroll_runs'],
  ['becoming the superuser', 'SET ROLE postgres'],
  ['giving itself BYPASSRLS', 'ALTER ROLE CURRENT_USER BYPASSRLS'],
  ['joining another role', 'GRANT auditflow_relay TO CURRENT_USER'],
  ['rewriting the transition table', 'DELETE FROM legal_transitions'],
];

/** Statements one role must not run, though another role's work needs them. */
const REFUSED_BY_ROLE: Record<LoginRole, [string, string][]> = {
  api: [
    ['changing delivery state', "UPDATE outbox SET status = 'published'"],
    ['deleting events', 'DELETE FROM outbox'],
    ['moving the retention horizon', 'INSERT INTO outbox_retention VALUES (true, now())'],
    ['reviving dead events', 'SELECT retry_dead_events(NULL)'],
    ['replaying events', "SELECT replay_events('-infinity', 'infinity', NULL)"],
    [
      'replaying events within the guard rails',
      "SELECT replay_events(now() - interval '1 hour', now(), NULL, NULL, NULL, true)",
    ],
    ['pruning idempotency keys', "SELECT prune_idempotency_keys('0 s', 1000)"],
    ['pruning the inbox', 'SELECT prune_inbox(1000)'],
    ['deleting receipts', 'DELETE FROM inbox'],
    ['shortening the inbox retention', "UPDATE inbox_retention SET keep_for = '2 days'"],
    ['backdating an idempotency key', "UPDATE idempotency_keys SET created_at = '2000-01-01'"],
  ],
  relay: [
    [
      'writing an event',
      `INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, correlation_id, actor)
      VALUES (gen_random_uuid(), 't', 'payroll_run', gen_random_uuid(), 1, 'payroll.run_created.v1', '{}', 'c', 'a')`,
    ],
    ['changing an event', `UPDATE outbox SET payload = '{"forged": true}'`],
    ['reading domain rows', 'SELECT * FROM payroll_runs'],
    ['reading audit rows', 'SELECT * FROM audit_log'],
    ['reading idempotency keys', 'SELECT * FROM idempotency_keys'],
    // one-rule-allow: an attack the database must refuse
    ['writing domain rows', "UPDATE payroll_runs SET status = 'PAID'"],
    ['reviving dead events', 'SELECT retry_dead_events(NULL)'],
    ['reading receipts', 'SELECT * FROM inbox'],
    ['shortening the inbox retention', "UPDATE inbox_retention SET keep_for = '2 days'"],
    ['marking dead letters redriven', "SELECT mark_dead_letters_redriven('{1}')"],
  ],
  operator: [
    ['changing delivery state directly', "UPDATE outbox SET status = 'pending'"],
    ['deleting events', 'DELETE FROM outbox'],
    ['reading domain rows', 'SELECT * FROM payroll_runs'],
    ['reading idempotency keys', 'SELECT * FROM idempotency_keys'],
    ['pruning idempotency keys', "SELECT prune_idempotency_keys('0 s', 1000)"],
    ['moving the retention horizon', 'INSERT INTO outbox_retention VALUES (true, now())'],
    ['pruning the inbox', 'SELECT prune_inbox(1000)'],
    ['deleting receipts', 'DELETE FROM inbox'],
    ['reviving dead events past the guard rails', 'SELECT retry_dead_events(NULL::uuid[])'],
    ['changing dead letters directly', 'UPDATE subscriber_dead_letters SET redriven_at = now()'],
  ],
};

describe('each login role is refused what would switch the guarantee off', () => {
  for (const role of LOGIN_ROLE_NAMES) {
    it.each(OWNER_ATTACKS)(`refuses ${role} %s`, async (_label, statement) => {
      expect(await attempt(database.roleUrl(role), [statement])).toBe('42501');
    });
    it.each(REFUSED_BY_ROLE[role])(`refuses ${role} %s`, async (_label, statement) => {
      expect(await attempt(database.roleUrl(role), [statement])).toBe('42501');
    });
  }

  it('gives no login role superuser, role or database creation, replication or BYPASSRLS, nor any table', async () => {
    const { rows } = await database.sql(
      `SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
              (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owns
         FROM pg_roles r WHERE r.rolname LIKE 'auditflow\\_%' ORDER BY r.rolname`,
    );
    expect(rows).toEqual(
      ['auditflow_api', 'auditflow_operator', 'auditflow_relay'].map((rolname) => ({
        rolname,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
        owns: 0,
      })),
    );
  });

  it('lets the relay delete only published events, and never one its own transaction sees pending', async () => {
    const { state } = await createPayrollRun(
      database.db(),
      { tenantId: 'privileges', actor: 'alice', correlationId: 'c' },
      aPayrollRun,
    );
    const remove = `DELETE FROM outbox WHERE aggregate_id = '${state.id}'`;
    expect(await attempt(database.roleUrl('relay'), [remove])).toBe('AF002');
  });
});
