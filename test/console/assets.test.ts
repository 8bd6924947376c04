import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleConsole, CONSOLE_ASSETS } from '@auditflow/console';
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
  it('serve one page that loads one script and one stylesheet, its config inline', async () => {
    const files = await bundleConsole({ apiUrl: 'https://api.example.com', devTokens: false });
    expect(Object.keys(files).sort()).toEqual(['console.css', 'console.js', 'index.html']);
    const html = files['index.html']?.body ?? '';
    expect([...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1])).toEqual([
      './console.js',
    ]);
    expect([...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1])).toEqual([
      './console.css',
    ]);
    expect(html).not.toMatch(/modulepreload|config\.json/);
    const inline = html.match(
      /<script id="console-config" type="application\/json">(.*?)<\/script>/,
    );
    expect(JSON.parse(inline?.[1] ?? 'null')).toEqual({
      apiUrl: 'https://api.example.com',
      devTokens: false,
    });
  });

  it('bundle every module, so the page waits for no further fetch before its API calls', async () => {
    const files = await bundleConsole({ apiUrl: '', devTokens: true });
    const bundle = files['console.js']?.body ?? '';
    expect(bundle).not.toMatch(/\bimport\s*[{(*"']|\bfrom\s*["']\.\//);
    expect(bundle.length).toBeGreaterThan(1_000);
  });

  it('cannot be made to close its config element by what the config holds', async () => {
    const files = await bundleConsole({
      apiUrl: 'https://x/</script><script>alert(1)',
      devTokens: false,
    });
    const html = files['index.html']?.body ?? '';
    expect(html).not.toContain('</script><script>alert(1)');
    const inline = html.match(
      /<script id="console-config" type="application\/json">(.*?)<\/script>/,
    );
    expect(JSON.parse(inline?.[1] ?? 'null').apiUrl).toBe('https://x/</script><script>alert(1)');
  });

  it('never parse data as HTML: no module sets innerHTML or writes markup', () => {
    for (const file of modules()) {
      const source = readFileSync(path.join(CONSOLE_ASSETS, file), 'utf8');
      expect(source, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
  });
});
