import { createHash } from 'node:crypto';
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

const config = (html: string) =>
  JSON.parse(
    html.match(/<script id="console-config" type="application\/json">(.*?)<\/script>/)?.[1] ??
      'null',
  );
const script = (html: string) =>
  html.match(/<script type="module">([\s\S]*?)<\/script>/)?.[1] ?? '';
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');

describe("the console's files", () => {
  it('serve one document with its script, stylesheet and config inline, and nothing else to fetch', async () => {
    const files = await bundleConsole({ apiUrl: 'https://api.example.com', devTokens: false });
    expect(Object.keys(files)).toEqual(['index.html']);
    const html = files['index.html']?.body ?? '';
    expect(html).not.toMatch(/\ssrc=|<link rel="stylesheet"|modulepreload|config\.json/);
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(html.match(/<script type="module">/g)).toHaveLength(1);
    expect(config(html)).toEqual({ apiUrl: 'https://api.example.com', devTokens: false });
  });

  it('bundle every module, so the page waits for no further fetch before its API calls', async () => {
    const files = await bundleConsole({ apiUrl: '', devTokens: true });
    const bundle = script(files['index.html']?.body ?? '');
    expect(bundle).not.toMatch(/\bimport\s*[{(*"']|\bfrom\s*["']\.\//);
    expect(bundle.length).toBeGreaterThan(1_000);
  });

  it("allow by their policy exactly the page's own script and stylesheet, and connections to its origin and the API's", async () => {
    const html =
      (await bundleConsole({ apiUrl: 'https://api.example.com/prod', devTokens: false }))[
        'index.html'
      ]?.body ?? '';
    const policy = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];
    const styles = html.match(/<style>([\s\S]*?)<\/style>/)?.[1] ?? '';
    expect(policy?.split('; ')).toEqual([
      "default-src 'none'",
      `script-src 'sha256-${sha256(script(html))}'`,
      `style-src 'sha256-${sha256(styles)}'`,
      "connect-src 'self' https://api.example.com",
      'img-src data:',
      "base-uri 'none'",
      "form-action 'none'",
    ]);
    // The policy comes before anything it governs.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
  });

  it('cannot be made to close its config element by what the config holds', async () => {
    const files = await bundleConsole({
      apiUrl: 'https://x/</script><script>alert(1)',
      devTokens: false,
    });
    const html = files['index.html']?.body ?? '';
    expect(html).not.toContain('</script><script>alert(1)');
    expect(config(html).apiUrl).toBe('https://x/</script><script>alert(1)');
  });

  it('never parse data as HTML: no module sets innerHTML or writes markup', () => {
    for (const file of modules()) {
      const source = readFileSync(path.join(CONSOLE_ASSETS, file), 'utf8');
      expect(source, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
  });
});
