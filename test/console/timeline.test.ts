import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AuditExport, sealAuditChain, verifyExport } from '@auditflow/audit';
import { SCOPES } from '@auditflow/functions';
import { describe, expect, it } from 'vitest';
import { paidRunWithSettledAdvance } from '../support/console-story';
import { ready, useConsole } from './support';

const app = useConsole();
let counter = 0;

describe('the entity timeline page', () => {
  it('tells a settled advance from request to settlement, every step in order with its audit diff, delivery, actor and ledger entries', async () => {
    const tenant = `timeline-${++counter}`;
    const story = await paidRunWithSettledAdvance(app.stack().apiUrl, app.mint, tenant);
    const page = await app.open(tenant, '#/timeline');
    await page.getByLabel('Search by').selectOption('entity');
    await page.getByLabel('Id', { exact: true }).fill(story.advanceId);
    await page.getByRole('button', { name: 'Show timeline' }).click();
    await ready(page, 'timeline');

    const versions = page.locator('.version');
    expect(await versions.locator('h4').allTextContents()).toEqual([
      'v1 create: (new) → REQUESTED',
      'v2 approve: REQUESTED → APPROVED',
      'v3 disburse: APPROVED → DISBURSED',
      'v4 settle: DISBURSED → SETTLED',
    ]);
    const settle = versions.nth(3);
    expect(await settle.locator('.meta').textContent()).toContain(
      'EwaRequestSettled by subscriber:settle-ewa-on-run-paid',
    );
    // The diff shows the fields that changed, before and after.
    const status = settle.locator('tr[data-field="status"] td');
    expect(await status.allTextContents()).toEqual(['"DISBURSED"', '"SETTLED"']);
    expect(await settle.locator('tr[data-field="settled_by_run_id"] td').nth(1).textContent()).toBe(
      `"${story.runId}"`,
    );
    for (const event of await versions.locator('.event').allTextContents()) {
      expect(event).toMatch(/published at .+, 1 attempt\(s\)/);
    }
    // The money: booked when disbursed, cleared when settled, each entry by its version.
    const ledger = page.getByRole('region', { name: 'Ledger entries' });
    const entries = ledger.locator('table.ledger-entry');
    expect(await entries.locator('caption').allTextContents()).toEqual([
      expect.stringMatching(/^v3 ewa\.request_disbursed\.v1: /),
      expect.stringMatching(/^v4 ewa\.request_settled\.v1: /),
    ]);
    const rows = async (n: number) =>
      (await entries.nth(n).locator('tbody tr').all()).map((row) =>
        row.locator('th, td').allTextContents(),
      );
    // 20000 minor units of EUR, as the browser's own locale writes them.
    const amount = await page.evaluate(() =>
      new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(200),
    );
    expect(await Promise.all(await rows(0))).toEqual([
      ['ewa-receivable:emp-1', amount, ''],
      ['funding-cash', '', amount],
    ]);
    expect(await Promise.all(await rows(1))).toEqual([
      ['funding-cash', amount, ''],
      ['ewa-receivable:emp-1', '', amount],
    ]);
  });

  it("shows the run's paid event received by the settling subscriber and links to the settlement it caused", async () => {
    const tenant = `timeline-${++counter}`;
    const story = await paidRunWithSettledAdvance(app.stack().apiUrl, app.mint, tenant);
    const page = await app.open(tenant, `#/timeline/entity/${story.runId}`);
    await ready(page, 'timeline');
    expect(await page.locator('.version h4').allTextContents()).toEqual([
      'v1 create: (new) → DRAFT',
      'v2 submit: DRAFT → SUBMITTED',
      'v3 approve: SUBMITTED → APPROVED',
      'v4 mark-paid: APPROVED → PAID',
    ]);
    const paid = page.locator('.version').nth(3);
    expect(await paid.locator('.receipts li').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('Received by settle-ewa-on-run-paid at')]),
    );
    await paid.locator('.caused a').click();
    await page.waitForURL(`**#/timeline/entity/${story.advanceId}`);
    await page.locator('.version h4', { hasText: 'v4 settle' }).waitFor();
  });

  it("exports the entity's history as the JSON the API gave", async () => {
    const tenant = `timeline-${++counter}`;
    const story = await paidRunWithSettledAdvance(app.stack().apiUrl, app.mint, tenant);
    const page = await app.open(tenant, `#/timeline/entity/${story.advanceId}`);
    await ready(page, 'timeline');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    const exported = JSON.parse(await readFile((await download.path()) as string, 'utf8'));
    expect(exported.search).toEqual({ kind: 'entity', value: story.advanceId });
    expect(exported.entities).toHaveLength(1);
    expect(exported.entities[0].versions.map((v: { command: string }) => v.command)).toEqual([
      'create',
      'approve',
      'disburse',
      'settle',
    ]);
  });

  it("exports one entity's history with its proofs, which check offline", async () => {
    const tenant = `timeline-${++counter}`;
    const story = await paidRunWithSettledAdvance(app.stack().apiUrl, app.mint, tenant);
    // Sealed now rather than at the stack's next housekeeping; the stack's checkpoint
    // subscriber stores the checkpoints the seal emits.
    await sealAuditChain(app.database.relayDb());
    const token = await app.mint({ tenant, sub: 'olga', scopes: [SCOPES.operator] });
    const proven = async () => {
      const response = await fetch(
        `${app.stack().apiUrl}/operator/audit-export?entity=${story.advanceId}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      const body = (await response.json()) as AuditExport;
      return response.ok && body.rows.every((row) => row.checkpointNo !== null);
    };
    for (let i = 0; i < 250 && !(await proven()); i++) await sleep(20);

    const page = await app.open(tenant, `#/timeline/entity/${story.advanceId}`);
    await ready(page, 'timeline');
    const button = page.getByRole('button', {
      name: `Export ewa_request ${story.advanceId} with proofs`,
    });
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe(`audit-export-${story.advanceId}.json`);
    const document = JSON.parse(
      await readFile((await download.path()) as string, 'utf8'),
    ) as AuditExport;
    expect(document).toMatchObject({ tenantId: tenant, entityId: story.advanceId });
    // Four versions, each an audit row, a transition and an event; all sealed and checkpointed.
    expect(document.rows).toHaveLength(12);
    expect(document.checkpoints.length).toBeGreaterThan(0);
    expect(verifyExport(document)).toEqual([]);
  });
});
