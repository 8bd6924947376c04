import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * What the page reads from its inline config. `apiUrl` empty means the API
 * is on the page's own origin (the local stack serves both). `devTokens` is
 * true only on the local stack, which can mint tokens.
 */
export interface ConsoleConfig {
  apiUrl: string;
  devTokens: boolean;
}

export interface ConsoleFile {
  type: string;
  body: string;
}

/** The console's sources: plain HTML, CSS and ES modules, bundled for serving below. */
export const CONSOLE_ASSETS = path.join(import.meta.dirname, 'src');
const CONFIG_ELEMENT = '<script id="console-config" type="application/json">{}</script>';
const STYLESHEET_ELEMENT = '<link rel="stylesheet" href="./console.css" />';
const SCRIPT_ELEMENT = '<script type="module" src="./console.js"></script>';
const POLICY_ELEMENT = '<meta http-equiv="Content-Security-Policy" content="" />';

/**
 * The console as it is served: one document, index.html, with its config,
 * its stylesheet and its script inline (main.js and every module it
 * imports, bundled and minified). The sources stay plain ES modules to read
 * and to edit. One document because every further fetch costs the page a
 * round trip before its first API call, and on a loaded machine tens of
 * milliseconds.
 *
 * Inline code could let injected markup run, so the page carries a Content
 * Security Policy allowing exactly this script and this stylesheet (by
 * their hashes), connections to its own origin and the API's, and nothing
 * else: no other script, style, frame, form target or base URL.
 */
export async function bundleConsole(config: ConsoleConfig): Promise<Record<string, ConsoleFile>> {
  const html = await fs.readFile(path.join(CONSOLE_ASSETS, 'index.html'), 'utf8');
  for (const element of [CONFIG_ELEMENT, STYLESHEET_ELEMENT, SCRIPT_ELEMENT, POLICY_ELEMENT]) {
    if (!html.includes(element)) throw new Error(`index.html lacks ${element} to fill`);
  }
  // JSON inside <script>: a `<` could close the element, so none is written as such.
  const inline = JSON.stringify(config).replaceAll('<', '\\u003c');
  const script = await build({
    entryPoints: [path.join(CONSOLE_ASSETS, 'main.js')],
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const bundled = script.outputFiles[0]?.text;
  if (bundled === undefined) throw new Error('esbuild wrote no bundle');
  const styles = await fs.readFile(path.join(CONSOLE_ASSETS, 'console.css'), 'utf8');
  // Inline, a closing tag in the code would end the element early; esbuild
  // escapes it in strings, and anything left is refused rather than served.
  if (/<\/script/i.test(bundled)) throw new Error('the bundled script holds </script');
  if (/<\/style/i.test(styles)) throw new Error('console.css holds </style');
  const policy = contentSecurityPolicy(config, bundled, styles);
  return {
    'index.html': {
      type: 'text/html; charset=utf-8',
      body: html
        .replace(
          POLICY_ELEMENT,
          () => `<meta http-equiv="Content-Security-Policy" content="${policy}" />`,
        )
        .replace(STYLESHEET_ELEMENT, () => `<style>${styles}</style>`)
        .replace(
          CONFIG_ELEMENT,
          () => `<script id="console-config" type="application/json">${inline}</script>`,
        )
        .replace(SCRIPT_ELEMENT, () => `<script type="module">${bundled}</script>`),
    },
  };
}

/** The page's policy: its own script and stylesheet by hash, its own origin and the API's to talk to. */
function contentSecurityPolicy(config: ConsoleConfig, script: string, styles: string): string {
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const api = config.apiUrl ? ` ${new URL(config.apiUrl).origin}` : '';
  return [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(styles)}`,
    `connect-src 'self'${api}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The latest modification time of the sources, so a server can rebuild when one changes. */
export async function sourcesChangedAt(): Promise<number> {
  const entries = await fs.readdir(CONSOLE_ASSETS, { recursive: true, withFileTypes: true });
  const times = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => (await fs.stat(path.join(entry.parentPath, entry.name))).mtimeMs),
  );
  return Math.max(0, ...times);
}
