import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONSOLE_ASSETS } from '@auditflow/console';
import { describe, expect, it } from 'vitest';

const modules = (dir = CONSOLE_ASSETS): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? modules(path.join(dir, entry.name))
      : entry.name.endsWith('.js')
        ? [`./${path.relative(CONSOLE_ASSETS, path.join(dir, entry.name))}`]
        : [],
  );

describe("the console's files", () => {
  it('preload every module the page imports, so the browser fetches them in one round', () => {
    const html = readFileSync(path.join(CONSOLE_ASSETS, 'index.html'), 'utf8');
    const preloaded = [...html.matchAll(/rel="modulepreload" href="([^"]+)"/g)].map((m) => m[1]);
    const entry = [...html.matchAll(/<script type="module" src="([^"]+)"/g)].map((m) => m[1]);
    expect([...preloaded, ...entry].sort()).toEqual(modules().sort());
  });

  it('never parse data as HTML: no module sets innerHTML or writes markup', () => {
    for (const file of modules()) {
      const source = readFileSync(path.join(CONSOLE_ASSETS, file), 'utf8');
      expect(source, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
  });
});
