import { describe, expect, it } from 'vitest';
import { paidRunWithSettledAdvance } from '../support/console-story';
import { ready, useConsole } from './support';

const app = useConsole();

const cells = (page: import('playwright-core').Page, rows: string) =>
  page
    .locator(rows)
    .all()
    .then((all) => Promise.all(all.map((row) => row.locator('td').allTextContents())));

describe('the reconciliation view', () => {
  it('shows the books beside the history: each money-moving event with its journal entry and audit row', async () => {
    const tenant = 'books-balanced';
    await paidRunWithSettledAdvance(app.stack().apiUrl, app.mint, tenant);
    const page = await app.open(tenant, '#/reconcile');
    await ready(page, 'reconcile');
    expect(await cells(page, '#books-rows tr')).toEqual([
      [tenant, 'ewa.request_disbursed.v1', '1', '1', '1', '0', 'Yes'],
      [tenant, 'ewa.request_settled.v1', '1', '1', '1', '0', 'Yes'],
      [tenant, 'payroll.run_paid.v1', '1', '1', '1', '0', 'Yes'],
    ]);
    expect(await page.locator('#books-summary').textContent()).toBe('All 3 rows balance.');
    expect(await page.locator('#books-faults li').count()).toBe(0);
  });

  it('lists an account whose running balance its postings do not add up to, in colour and in words', async () => {
    const tenant = 'books-tampered';
    await paidRunWithSettledAdvance(app.stack().apiUrl, app.mint, tenant);
    // A running balance moved without a posting: only the owner, with the triggers off, can.
    const tamper = (by: number) =>
      app.database.sql(
        `BEGIN; SET LOCAL session_replication_role = replica;
         UPDATE ledger_accounts SET debits_posted = debits_posted + ${by}
          WHERE tenant_id = '${tenant}' AND code = 'ewa-receivable:emp-1';
         COMMIT;`,
      );
    await tamper(1);
    try {
      const page = await app.open(tenant, '#/reconcile');
      await ready(page, 'reconcile');
      const fault = page.locator('#books-faults li.mismatch');
      expect(await fault.allTextContents()).toEqual([
        'Account ewa-receivable:emp-1 (EUR) of books-tampered: its counters say debits 20001, credits 20000; its postings add up to debits 20000, credits 20000 (minor units).',
      ]);
      expect(await page.locator('#books-summary').textContent()).toBe(
        'All 3 rows balance. 1 fault(s) in the books, listed below.',
      );
    } finally {
      // Put it back: every test database must close with balanced books.
      await tamper(-1);
    }
  });
});
