import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SCOPES } from '@auditflow/functions';
import { loadOrCreateKey, signDevToken, startLocalStack } from '@auditflow/local';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/support/browser';
import { createBenchDatabase, startBenchServer } from './database';
import { type Benchmark, ROOT, round, summarize, target } from './harness';
import { seedEvents } from './seed';

export interface ConsolePagesConfig {
  /** Events in the outbox, all of one tenant: payroll runs of `versions` versions each. */
  events: number;
  versions: number;
  /** Of those, how many the relay gave up on (listed, with reasons, in the outbox view). */
  dead: number;
  /** Measured loads per view, after one unmeasured warm-up load each. */
  loads: number;
}

const TENANT = 'bench-console';
const VIEWS = ['outbox', 'timeline', 'reconcile'] as const;
type View = (typeof VIEWS)[number];

/**
 * How long each console view takes to load, the way an operator opens it:
 * the local stack (gateway, console files, API handlers) on a database of
 * `events` events, headless chromium, a fresh page per load. Timed from
 * the navigation's start to the view marking itself ready (its data fetched
 * and rendered), so it covers the HTML, the modules, every API call of the
 * view and the rendering.
 */
export const consolePages: Benchmark<ConsolePagesConfig> = {
  name: 'console-pages',
  description: 'console views, navigation -> rendered, with 10,000 events',
  full: () => ({ events: 10_000, versions: 4, dead: 25, loads: 30 }),
  smoke: () => ({ events: 40, versions: 4, dead: 2, loads: 1 }),
  async run(config, context) {
    const startedAt = new Date().toISOString();
    const began = performance.now();
    const server = await startBenchServer(context);
    const database = await createBenchDatabase(server, 'console');
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-bench-console-'));
    let browser: Browser | undefined;
    let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
    try {
      context.log(`seeding ${config.events} events`);
      await seedEvents(database, {
        tenantId: TENANT,
        aggregates: Math.ceil(config.events / config.versions),
        versions: config.versions,
        status: 'published',
      });
      await database.sql(
        `UPDATE outbox SET status = 'dead', published_at = NULL, attempts = 10,
                last_error = 'InvalidArgument: refused by the bus'
          WHERE id IN (SELECT id FROM outbox ORDER BY id DESC LIMIT $1)`,
        [config.dead],
      );
      await database.sql('ANALYZE');
      const { rows } = await database.sql<{ id: string }>(
        'SELECT aggregate_id AS id FROM state_transitions ORDER BY id LIMIT 1',
      );
      const entity = rows[0]?.id;
      if (!entity) throw new Error('nothing seeded');

      stack = await startLocalStack({
        dataDir,
        root: ROOT,
        apiPort: 0,
        databasePort: 0,
        eventBridgePort: 0,
        databaseUrl: database.url,
        ...(context.rolePasswords && { rolePasswords: context.rolePasswords }),
        log: context.log,
      });
      const token = await signDevToken(await loadOrCreateKey(dataDir), {
        tenant: TENANT,
        sub: 'olga',
        scopes: [SCOPES.operator],
      });
      browser = await launchChromium();
      const browserContext = await browser.newContext();
      // Signed in before the page's own scripts run, as after pasting the token once.
      await browserContext.addInitScript(
        `sessionStorage.setItem('auditflow.console.token', ${JSON.stringify(token)})`,
      );
      const hashes: Record<View, string> = {
        outbox: '#/outbox',
        timeline: `#/timeline/entity/${entity}`,
        reconcile: '#/reconcile',
      };
      /**
       * One load in a fresh page: `page` is the page's own clock, from the
       * navigation's start to the view's ready mark (for the bare document, to
       * its load event); `harness` is this process's, from asking for the
       * page to seeing it ready, which adds Playwright's round trips and polling.
       */
      const load = async (view: View | 'bare') => {
        const page = await browserContext.newPage();
        try {
          const started = performance.now();
          if (view === 'bare') {
            // The baseline: navigating to a small answer of the same server (the console has no
            // such file), no scripts, no API.
            await page.goto(`${stack?.consoleUrl}baseline.txt`);
            const harness = performance.now() - started;
            const clock = Number(
              await page.evaluate("performance.getEntriesByType('navigation')[0]?.duration ?? NaN"),
            );
            return { page: clock, harness };
          }
          await page.goto(`${stack?.consoleUrl}${hashes[view]}`);
          await page.locator(`#${view}[data-state="ready"]`).waitFor();
          const harness = performance.now() - started;
          const clock = await page.evaluate(
            (mark) => performance.getEntriesByName(mark)[0]?.startTime ?? Number.NaN,
            `auditflow:${view}:ready`,
          );
          return { page: clock, harness };
        } finally {
          await page.close();
        }
      };

      type Timing = { page: number; harness: number };
      const timings: Record<View, Timing[]> = { outbox: [], timeline: [], reconcile: [] };
      const bare: Timing[] = [];
      for (const view of VIEWS) await load(view);
      // Round-robin, so a noisy moment on a shared machine lands on every view alike.
      for (let i = 0; i < config.loads; i++) {
        bare.push(await load('bare'));
        for (const view of VIEWS) timings[view].push(await load(view));
      }
      const of = (list: Timing[], clock: keyof Timing) => summarize(list.map((t) => t[clock]));
      const baseline = {
        label: 'bare navigation (median)',
        value: round(of(bare, 'page').p50),
      };
      const harnessBaseline = {
        label: 'bare navigation, harness (median)',
        value: round(of(bare, 'harness').p50),
      };
      const summaries = Object.fromEntries(
        VIEWS.map((view) => [view, of(timings[view], 'page')]),
      ) as Record<View, ReturnType<typeof summarize>>;
      const harness = Object.fromEntries(
        VIEWS.map((view) => [view, of(timings[view], 'harness')]),
      ) as Record<View, ReturnType<typeof summarize>>;
      return {
        startedAt,
        durationMs: performance.now() - began,
        config: {
          ...config,
          postgres: server.version,
          browser: 'Debian chromium, headless, through playwright-core',
          timed:
            "the page's clock, navigation start -> the view's ready mark (fetched and rendered); " +
            'the harness figure adds Playwright (newPage excluded, goto and polling included)',
        },
        rows: VIEWS.flatMap((view) => [
          {
            label: `${view}: load (median)`,
            value: round(summaries[view].p50),
            unit: 'ms',
            baseline,
            ratio: summaries[view].p50 / baseline.value,
          },
          { label: `${view}: load (p95)`, value: round(summaries[view].p95), unit: 'ms' },
          {
            label: `${view}: load as the harness sees it (median)`,
            value: round(harness[view].p50),
            unit: 'ms',
            baseline: harnessBaseline,
            ratio: harness[view].p50 / harnessBaseline.value,
            note: `p95 ${round(harness[view].p95)} ms`,
          },
        ]),
        results: [
          {
            view: 'bare',
            ms: bare.map((t) => ({ page: round(t.page), harness: round(t.harness) })),
          },
          ...VIEWS.map((view) => ({
            view,
            ms: timings[view].map((t) => ({ page: round(t.page), harness: round(t.harness) })),
          })),
        ],
        targets: VIEWS.map((view) =>
          target(`${view} p95 load (ms), ${config.events} events`, summaries[view].p95, '<=', 200),
        ),
      };
    } finally {
      await browser?.close();
      await stack?.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
      await database.drop();
      await server.stop();
    }
  },
};
