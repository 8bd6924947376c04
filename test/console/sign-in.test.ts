import { describe, expect, it } from 'vitest';
import { draftRuns } from '../support/console-story';
import { ready, useConsole } from './support';

const app = useConsole();

describe('signing in to the local console', () => {
  it('mints a local operator token from the page; with the platform scope it may pick every tenant', async () => {
    await draftRuns(app.stack().apiUrl, app.mint, 'north', 1);
    await draftRuns(app.stack().apiUrl, app.mint, 'south', 1);
    const page = await app.open('north');
    const form = page.getByRole('form', { name: 'Local development token' });
    await form.getByLabel('Tenant').fill('north');
    await form.getByLabel('Operator').fill('pat');
    await form.getByLabel('platform scope').check();
    await form.getByRole('button', { name: 'Mint token' }).click();
    await page.getByText('Signed in as pat of north (operator, platform)').waitFor();

    await page.getByRole('tab', { name: 'Reconciliation' }).click();
    await ready(page, 'reconcile');
    const tenants = () => page.locator('#reconcile-rows tr td:first-child').allTextContents();
    expect(new Set(await tenants())).toEqual(new Set(['north']));
    await page.getByLabel('Tenant (platform scope)').fill('*');
    await page.getByLabel('Tenant (platform scope)').press('Enter');
    await page.locator('#reconcile-rows tr td', { hasText: 'south' }).first().waitFor();
    expect(new Set(await tenants())).toEqual(new Set(['north', 'south']));
  });

  it("hides the tenant field from an operator of one tenant, and the API refuses them another's", async () => {
    const page = await app.open('north');
    await ready(page, 'outbox');
    expect(await page.getByLabel('Tenant (platform scope)').isVisible()).toBe(false);
    const token = await app.mint({ tenant: 'north', sub: 'olga', scopes: ['operator'] });
    const response = await fetch(`${app.stack().apiUrl}/operator/outbox?tenant=south`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(403);
  });
});
