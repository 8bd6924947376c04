/**
 * `npm run screenshots`: the console's three views as docs/console-*.png, taken
 * from the whole local stack (its own embedded Postgres, in a temporary data
 * directory) with a paid run, a settled advance and two dead events in it.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SCOPES } from '@auditflow/functions';
import { loadOrCreateKey, signDevToken, startLocalStack } from '@auditflow/local';
import { launchChromium } from '../test/support/browser';
import { draftRuns, paidRunWithSettledAdvance } from '../test/support/console-story';

const ROOT = path.resolve(import.meta.dirname, '..');
const TENANT = 'acme';

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-screenshots-'));
await fs.chmod(dataDir, 0o755);
delete process.env.DATABASE_URL;
const stack = await startLocalStack({
  dataDir,
  root: ROOT,
  apiPort: 0,
  databasePort: 0,
  eventBridgePort: 0,
  log: () => {},
});
try {
  const key = await loadOrCreateKey(dataDir);
  const mint = (claims: { tenant: string; sub: string; scopes?: string[] }) =>
    signDevToken(key, claims);
  const story = await paidRunWithSettledAdvance(stack.apiUrl, mint, TENANT);
  stack.eventBridge.faults.entryError = () => 'InvalidArgument';
  await draftRuns(stack.apiUrl, mint, TENANT, 2);
  await sleep(500);
  stack.eventBridge.reset();

  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
  const token = await mint({ tenant: TENANT, sub: 'olga', scopes: [SCOPES.operator] });
  await context.addInitScript(
    `sessionStorage.setItem('auditflow.console.token', ${JSON.stringify(token)})`,
  );
  const views = {
    outbox: '#/outbox',
    timeline: `#/timeline/entity/${story.runId}`,
    reconcile: '#/reconcile',
  };
  for (const [view, hash] of Object.entries(views)) {
    const page = await context.newPage();
    await page.goto(`${stack.consoleUrl}${hash}`);
    await page.locator(`#${view}[data-state="ready"]`).waitFor();
    const file = path.join(ROOT, 'docs', `console-${view}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`wrote ${path.relative(ROOT, file)}`);
    await page.close();
  }
  await browser.close();
} finally {
  await stack.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
}
