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
  const token = await mint({ tenant: TENANT, sub: 'olga', scopes: [SCOPES.operator] });
  /** Waits until the tenant's outbox counts satisfy `done`, as an operator would watch them. */
  const outboxUntil = async (done: (counts: { pending: number; dead: number }) => boolean) => {
    for (let i = 0; i < 500; i++) {
      const response = await fetch(`${stack.apiUrl}/operator/outbox`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (done((await response.json()) as { pending: number; dead: number })) return;
      await sleep(20);
    }
    throw new Error('the outbox did not settle');
  };
  const story = await paidRunWithSettledAdvance(stack.apiUrl, mint, TENANT);
  // The settlement's own event is published before the bus starts refusing: only the drafts die.
  await outboxUntil((counts) => counts.pending === 0);
  stack.eventBridge.faults.entryError = () => 'InvalidArgument';
  await draftRuns(stack.apiUrl, mint, TENANT, 2);
  await outboxUntil((counts) => counts.pending === 0 && counts.dead === 2);
  stack.eventBridge.reset();

  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
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
