import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { approveEwaRequest, createEwaRequest, disburseEwaRequest } from '@auditflow/domain';
import { reconcile } from '@auditflow/operator';
import { describe, expect, it } from 'vitest';
import { anEwaRequest } from '../support/api';
import { attempt } from '../support/attempt';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();
const ROOT = path.resolve(import.meta.dirname, '../..');
let counter = 0;

/** A tenant with one disbursed advance, booked through the write unit. */
async function aBookedTenant() {
  const tenantId = `reconcile-books-${++counter}`;
  const ctx = (actor: string) => ({ tenantId, actor, correlationId: `rb-${counter}` });
  const { state } = await createEwaRequest(database.db(), ctx('alice'), anEwaRequest);
  await approveEwaRequest(database.db(), ctx('bob'), { id: state.id });
  await disburseEwaRequest(database.db(), ctx('bob'), { id: state.id });
  return tenantId;
}

function reconcileCli() {
  const result = spawnSync(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    ['packages/local/src/bin/outbox.ts', 'reconcile', '--json'],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: database.roleUrl('operator') },
      encoding: 'utf8',
    },
  );
  return { code: result.status, report: JSON.parse(result.stdout || '{}') };
}

/** What only the owner with the triggers off can do to the books; undone the same way. */
async function tamper(...statements: string[]) {
  const code = await attempt(database.url(), [
    'SET LOCAL session_replication_role = replica',
    ...statements,
  ]);
  if (code) throw new Error(`tampering failed: ${code}`);
}

describe('reconcile catches tampered books', () => {
  it('passes balanced books and exits 0', async () => {
    await aBookedTenant();
    const { code, report } = reconcileCli();
    expect(code).toBe(0);
    expect(report.balanced).toBe(true);
  });

  it('catches a running balance that differs from its postings, and exits 1', async () => {
    const tenantId = await aBookedTenant();
    const doctored = `UPDATE ledger_accounts SET debits_posted = debits_posted - 1
                       WHERE tenant_id = '${tenantId}' AND code = 'ewa-receivable:emp-1'`;
    await tamper(doctored);
    try {
      const { code, report } = reconcileCli();
      expect(code).toBe(1);
      expect(report.books.balanceMismatches).toEqual([
        {
          tenantId,
          code: 'ewa-receivable:emp-1',
          currency: 'EUR',
          debitsPosted: String(anEwaRequest.amountMinor - 1),
          creditsPosted: '0',
          debitsOfPostings: String(anEwaRequest.amountMinor),
          creditsOfPostings: '0',
        },
      ]);
    } finally {
      await tamper(doctored.replace('- 1', '+ 1'));
    }
  });

  it('catches an unbalanced entry and an entry gone missing', async () => {
    const tenantId = await aBookedTenant();
    const { rows } = await database.sql(
      `SELECT e.*, p.id AS posting_id FROM ledger_entries e JOIN ledger_postings p ON p.entry_id = e.id
        WHERE e.tenant_id = $1 AND p.side = 'credit'`,
      [tenantId],
    );
    const entry = rows[0];
    await tamper(
      `UPDATE ledger_postings SET amount_minor = amount_minor + 1 WHERE id = '${entry.posting_id}'`,
    );
    try {
      const { books } = await reconcile(database.operatorDb(), tenantId);
      expect(books.entryFaults).toEqual([
        { tenantId, entryId: entry.id, fault: 'unbalanced', currency: 'EUR' },
      ]);
    } finally {
      await tamper(
        `UPDATE ledger_postings SET amount_minor = amount_minor - 1 WHERE id = '${entry.posting_id}'`,
      );
    }

    const { rows: saved } = await database.sql(
      'SELECT * FROM ledger_postings WHERE entry_id = $1',
      [entry.id],
    );
    await tamper(
      `DELETE FROM ledger_postings WHERE entry_id = '${entry.id}'`,
      `DELETE FROM ledger_entries WHERE id = '${entry.id}'`,
    );
    try {
      const { code, report } = reconcileCli();
      expect(code).toBe(1);
      expect(report.books.mismatches).toEqual([
        {
          tenantId,
          eventType: 'ewa.request_disbursed.v1',
          events: 1,
          entries: 0,
          audits: 1,
          unmatched: 1,
        },
      ]);
    } finally {
      const { posting_id: _posting, ...header } = entry;
      await tamper(
        `INSERT INTO ledger_entries SELECT * FROM json_populate_record(null::ledger_entries, $j$${JSON.stringify(header)}$j$)`,
        `INSERT INTO ledger_postings SELECT * FROM json_populate_recordset(null::ledger_postings, $j$${JSON.stringify(saved)}$j$)`,
      );
    }
    expect((await reconcile(database.operatorDb(), tenantId)).books.balanced).toBe(true);
  });
});
