import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SCOPES } from '@auditflow/functions';
import { loadOrCreateKey, signDevToken, startLocalStack } from '@auditflow/local';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium } from '../support/browser';
import type { Mint } from '../support/console-story';
import { useTestDatabase } from '../support/database';
import { TEST_ROLE_PASSWORDS } from '../support/roles';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The real local stack (gateway, console, relay, local bus) on the test
 * file's database, and a headless chromium to open the console with.
 */
export function useConsole() {
  const database = useTestDatabase();
  let dataDir = '';
  let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
  let browser: Browser | undefined;
  let key: Awaited<ReturnType<typeof loadOrCreateKey>> | undefined;
  const pages: Page[] = [];

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-console-'));
    stack = await startLocalStack({
      dataDir,
      root: ROOT,
      apiPort: 0,
      databasePort: 0,
      eventBridgePort: 0,
      databaseUrl: database.url(),
      rolePasswords: TEST_ROLE_PASSWORDS,
      log: () => {},
    });
    key = await loadOrCreateKey(dataDir);
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
    stack?.eventBridge.reset();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const mint: Mint = async (claims) => {
    if (!key) throw new Error('stack not started');
    return signDevToken(key, claims);
  };
  const started = () => {
    if (!stack || !browser) throw new Error('stack not started');
    return { stack, browser };
  };

  return {
    database,
    mint,
    stack: () => started().stack,
    /**
     * The console, signed in the way an operator does: the token pasted into
     * its form. `hash` opens a view directly (`#/timeline/entity/<id>`).
     */
    async open(tenant: string, hash = '#/outbox', scopes: string[] = [SCOPES.operator]) {
      const page = await started().browser.newPage({ viewport: { width: 1280, height: 900 } });
      pages.push(page);
      await page.goto(`${started().stack.consoleUrl}${hash}`);
      await page.getByLabel('Bearer token').fill(await mint({ tenant, sub: 'olga', scopes }));
      await page.getByRole('button', { name: 'Use token' }).click();
      return page;
    },
  };
}

/** Waits until the panel has finished loading what it shows. */
export async function ready(page: Page, panel: 'outbox' | 'timeline' | 'reconcile') {
  await page.locator(`#${panel}[data-state="ready"]`).waitFor();
}
