import { createDb } from '@auditflow/db';
import {
  ewaRequestTransitions,
  legalTransitions,
  payrollRunTransitions,
  syncLegalTransitions,
} from '@auditflow/domain';
import { auditEvents, eventCatalogue } from '@auditflow/events';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import { LOGIN_ROLE_NAMES } from '../support/roles';

const database = useTestDatabase();

async function tableRows() {
  const { rows } = await database.sqlAs(
    'operator',
    `SELECT aggregate_type AS "aggregateType", command, from_status AS "from", to_status AS "to",
            event_type AS "eventType"
       FROM legal_transitions ORDER BY 1, 2, 3 NULLS FIRST`,
  );
  return rows;
}

const sorted = (moves: ReturnType<typeof legalTransitions>) =>
  [...moves].sort(
    (a, b) =>
      a.aggregateType.localeCompare(b.aggregateType) ||
      a.command.localeCompare(b.command) ||
      (a.from ?? '').localeCompare(b.from ?? ''),
  );

describe("the database's transition table", () => {
  it('holds exactly the moves of the TypeScript state machines', async () => {
    expect(await tableRows()).toEqual(sorted(legalTransitions()));
  });

  it('has one row per command and starting status of each state machine, plus each creation', () => {
    const expected = [payrollRunTransitions, ewaRequestTransitions].reduce(
      (count, table) =>
        count + 1 + Object.values(table).reduce((n, rule) => n + rule.from.length, 0),
      0,
    );
    expect(legalTransitions()).toHaveLength(expected);
  });

  it("names every domain event of the catalogue, and none of the audit chain's", () => {
    const named = new Set(legalTransitions().map((move) => move.eventType));
    // A checkpoint records no change of state: it has no transition.
    const domain = Object.keys(eventCatalogue).filter((type) => !Object.hasOwn(auditEvents, type));
    expect([...named].sort()).toEqual(domain.sort());
    expect(domain.length).toBeLessThan(Object.keys(eventCatalogue).length);
  });

  it('refuses every login role a change to it', async () => {
    for (const role of LOGIN_ROLE_NAMES) {
      for (const statement of [
        'DELETE FROM legal_transitions',
        `INSERT INTO legal_transitions VALUES ('payroll_run', 'mark-paid', 'DRAFT', 'PAID', 'payroll.run_paid.v1')`,
      ]) {
        const code = await database
          .sqlAs(role, statement)
          .then(() => null)
          .catch((error: { code?: string }) => error.code);
        expect(code, `${role}: ${statement}`).toBe('42501');
      }
    }
  });

  it('is rewritten idempotently by the owner', async () => {
    const owner = createDb({ target: { connectionString: database.url() }, max: 1 });
    try {
      await syncLegalTransitions(owner);
      await syncLegalTransitions(owner);
    } finally {
      await owner.destroy();
    }
    expect(await tableRows()).toEqual(sorted(legalTransitions()));
  });
});
