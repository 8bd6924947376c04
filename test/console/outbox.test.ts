import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { draftRuns } from '../support/console-story';
import { ready, useConsole } from './support';

const app = useConsole();
let counter = 0;

/** Writes `count` events while the bus refuses them for good, so the relay gives each up as dead. */
async function deadEvents(tenant: string, count: number) {
  app.stack().eventBridge.faults.entryError = () => 'InvalidArgument';
  await draftRuns(app.stack().apiUrl, app.mint, tenant, count);
  for (let i = 0; i < 500; i++) {
    const { rows } = await app.database.sql(
      "SELECT id FROM outbox WHERE tenant_id = $1 AND status = 'dead' ORDER BY id",
      [tenant],
    );
    if (rows.length === count) {
      app.stack().eventBridge.faults.entryError = undefined;
      return rows.map((row) => row.id as string);
    }
    await sleep(20);
  }
  throw new Error('the events did not die');
}

describe('the outbox page', () => {
  it('lists dead events with their reasons beside the counts and the throughput chart', async () => {
    const tenant = `outbox-${++counter}`;
    const dead = await deadEvents(tenant, 2);
    const page = await app.open(tenant);
    await ready(page, 'outbox');
    expect(await page.locator('[data-count="dead"]').textContent()).toBe('2');
    expect(await page.locator('[data-count="pending"]').textContent()).toBe('0');
    const rows = page.locator('#dead-events tr');
    expect(
      await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event-id'))),
    ).toEqual(dead);
    expect(await rows.first().textContent()).toContain('InvalidArgument');
    const chart = page.getByRole('img', { name: /2 events written, 0 published/ });
    expect(await chart.locator('rect').count()).toBe(120);
  });

  it('retries a dead event from the page after confirmation, and the relay publishes it', async () => {
    const tenant = `outbox-${++counter}`;
    const [target] = (await deadEvents(tenant, 1)) as [string];
    const page = await app.open(tenant);
    await ready(page, 'outbox');
    await page.getByRole('button', { name: /^Retry event/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Retry dead event' });
    await dialog.getByLabel('Reason').fill('bus rule fixed');
    await dialog.getByRole('button', { name: 'Retry event' }).click();

    // The page follows the event until the relay has published it.
    await page.locator('[data-count="published"]', { hasText: /^1$/ }).waitFor();
    expect(await page.locator('[data-count="dead"]').textContent()).toBe('0');
    expect(await page.locator('[data-count="pending"]').textContent()).toBe('0');
    expect(await page.locator('#no-dead').isVisible()).toBe(true);
    const { rows } = await app.database.sql(
      `SELECT o.status, a.actor, a.action, a.reason
         FROM outbox o JOIN operator_actions a ON a.target_event_id = o.id WHERE o.id = $1`,
      [target],
    );
    expect(rows).toEqual([
      { status: 'published', actor: 'olga', action: 'retry_dead_event', reason: 'bus rule fixed' },
    ]);
  });

  it('retries nothing when the dialog is cancelled', async () => {
    const tenant = `outbox-${++counter}`;
    const [target] = (await deadEvents(tenant, 1)) as [string];
    const page = await app.open(tenant);
    await ready(page, 'outbox');
    const retry = page.getByRole('button', { name: /^Retry event/ });
    await retry.click();
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog').count()).toBe(0);
    // Focus goes back to the button that opened the dialog.
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Retry');
    const { rows } = await app.database.sql('SELECT status FROM outbox WHERE id = $1', [target]);
    expect(rows[0].status).toBe('dead');
  });
});
