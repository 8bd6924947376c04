import { createDb } from '@auditflow/db';
import { DEFAULT_LEDGER_LIMITS, legalTransitions, syncBookkeeping } from '@auditflow/domain';
import { eventCatalogue, MONEY_MOVING_EVENT_TYPES } from '@auditflow/events';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import { LOGIN_ROLE_NAMES } from '../support/roles';

const database = useTestDatabase();

async function moneyEvents() {
  const { rows } = await database.sqlAs(
    'operator',
    'SELECT event_type FROM ledger_money_events ORDER BY 1',
  );
  return rows.map((row) => row.event_type);
}

async function defaultLimits() {
  const { rows } = await database.sqlAs(
    'operator',
    `SELECT account_class AS "accountClass", currency, max_balance_minor::int AS "maxBalanceMinor"
       FROM ledger_limits WHERE tenant_id = '*' ORDER BY 1, 2`,
  );
  return rows;
}

describe("the database's list of money-moving events", () => {
  it('is exactly the catalogue’s, and so are the default limits', async () => {
    expect(await moneyEvents()).toEqual([...MONEY_MOVING_EVENT_TYPES].sort());
    expect(await defaultLimits()).toEqual([...DEFAULT_LEDGER_LIMITS]);
  });

  it('names only catalogued events that a legal move records', () => {
    const recorded = new Set(legalTransitions().map((move) => move.eventType));
    for (const type of MONEY_MOVING_EVENT_TYPES) {
      expect(Object.keys(eventCatalogue)).toContain(type);
      expect(recorded.has(type), type).toBe(true);
    }
  });

  it('refuses every login role a change to it or to the limits', async () => {
    for (const role of LOGIN_ROLE_NAMES) {
      for (const statement of [
        'DELETE FROM ledger_money_events',
        `INSERT INTO ledger_money_events VALUES ('payroll.run_created.v1')`,
        `UPDATE ledger_limits SET max_balance_minor = 999999999`,
      ]) {
        const code = await database
          .sqlAs(role, statement)
          .then(() => null)
          .catch((error: { code?: string }) => error.code);
        expect(code, `${role}: ${statement}`).toBe('42501');
      }
    }
  });

  it('is rewritten idempotently by the owner, leaving tenants’ own limits alone', async () => {
    await database.sql(
      `INSERT INTO ledger_limits VALUES ('sync-tenant', 'ewa-receivable', 'EUR', 5) ON CONFLICT DO NOTHING`,
    );
    const owner = createDb({ target: { connectionString: database.url() }, max: 1 });
    try {
      await syncBookkeeping(owner);
      await syncBookkeeping(owner);
    } finally {
      await owner.destroy();
    }
    expect(await moneyEvents()).toEqual([...MONEY_MOVING_EVENT_TYPES].sort());
    expect(await defaultLimits()).toEqual([...DEFAULT_LEDGER_LIMITS]);
    const { rows } = await database.sql(
      `SELECT count(*)::int AS n FROM ledger_limits WHERE tenant_id = 'sync-tenant'`,
    );
    expect(rows[0]?.n).toBe(1);
  });
});
