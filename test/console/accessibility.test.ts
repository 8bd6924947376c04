import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ready, useConsole } from './support';

const app = useConsole();

describe('the console for keyboard and screen-reader users', () => {
  it('has a banner, a navigation of views and a main region, and labels every field', async () => {
    const page = await app.open('a11y');
    await ready(page, 'outbox');
    expect(await page.getByRole('banner').count()).toBe(1);
    expect(await page.getByRole('navigation', { name: 'Views' }).count()).toBe(1);
    expect(await page.getByRole('main').count()).toBe(1);
    // Every form control, including the dialog's, has an accessible name from a label.
    // (Expressions run in the page, so they are strings: the project compiles without DOM types.)
    const unlabelled = await page.evaluate(
      `[...document.querySelectorAll('input, select, textarea')]
         .filter((field) => field.labels.length === 0).map((field) => field.id)`,
    );
    expect(unlabelled).toEqual([]);
    for (const label of ['Bearer token', 'Search by', 'Reason']) {
      expect(await page.getByLabel(label, { exact: true }).count(), label).toBe(1);
    }
  });

  it('moves between the views with the arrow, Home and End keys, one tab in the tab order', async () => {
    const page = await app.open('a11y');
    await ready(page, 'outbox');
    const selected = () =>
      page.locator('[role="tab"][aria-selected="true"]').getAttribute('aria-controls');
    const focused = () => page.evaluate('document.activeElement?.id');
    await page.getByRole('tab', { name: 'Outbox' }).focus();

    await page.keyboard.press('ArrowRight');
    expect([await selected(), await focused()]).toEqual(['timeline', 'tab-timeline']);
    expect(await page.locator('#timeline').isVisible()).toBe(true);
    expect(await page.locator('#outbox').isVisible()).toBe(false);
    await page.keyboard.press('End');
    expect([await selected(), await focused()]).toEqual(['reconcile', 'tab-reconcile']);
    await ready(page, 'reconcile');
    await page.keyboard.press('ArrowRight');
    expect(await selected()).toBe('outbox');
    await page.keyboard.press('ArrowLeft');
    expect(await selected()).toBe('reconcile');
    await page.keyboard.press('Home');
    expect(await selected()).toBe('outbox');
    expect(
      await page.locator('[role="tab"]').evaluateAll((tabs) => tabs.map((t) => t.tabIndex)),
    ).toEqual([0, -1, -1]);
  });

  it('searches the timeline with the keyboard alone, and shows where focus is', async () => {
    const page = await app.open('a11y', '#/timeline');
    await page.getByLabel('Id', { exact: true }).focus();
    await page.keyboard.type('0190f2a4-0000-7000-8000-000000000000');
    await page.keyboard.press('Enter');
    await ready(page, 'timeline');
    expect(await page.locator('#timeline-results').textContent()).toContain('Nothing found');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(`({
      id: document.activeElement.id,
      style: getComputedStyle(document.activeElement).outlineStyle,
    })`);
    expect(outline).toEqual({ id: 'timeline-submit', style: 'solid' });
  });

  it('marks a reconcile mismatch in colour and in words', async () => {
    const tenant = 'a11y-mismatch';
    const alice = await app.mint({ tenant, sub: 'alice' });
    const response = await fetch(`${app.stack().apiUrl}/payroll-runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        periodStart: '2026-11-01',
        periodEnd: '2026-11-30',
        payDate: '2026-12-01',
        currency: 'EUR',
        grossTotalMinor: 1,
        employeeCount: 1,
      }),
    });
    const { id } = (await response.json()) as { id: string };
    // Only a published event may be deleted: wait for the relay.
    for (let i = 0; i < 200; i++) {
      const { rows } = await app.database.sql('SELECT status FROM outbox WHERE aggregate_id = $1', [
        id,
      ]);
      if (rows[0]?.status === 'published') break;
      await sleep(20);
    }
    // A published event pruned too early: its transition and audit row have no event.
    const { rows } = await app.database.sql(
      'DELETE FROM outbox WHERE aggregate_id = $1 RETURNING row_to_json(outbox.*) AS row',
      [id],
    );
    try {
      const page = await app.open(tenant, '#/reconcile');
      await ready(page, 'reconcile');
      const mismatch = page.locator('#reconcile-rows tr.mismatch');
      expect(await mismatch.locator('td').allTextContents()).toEqual([
        tenant,
        '(no event)',
        '1',
        '1',
        '0',
        'No: mismatch',
      ]);
      expect(await page.locator('#reconcile-summary').textContent()).toContain(
        '1 of 1 rows do not balance',
      );
    } finally {
      // Put the event back, as it was, so the ledger balances again.
      await app.database.sql(
        `BEGIN; SET LOCAL session_replication_role = replica;
         INSERT INTO outbox SELECT * FROM json_populate_record(null::outbox, '${JSON.stringify(rows[0].row).replace(/'/g, "''")}');
         COMMIT;`,
      );
    }
  });
});
