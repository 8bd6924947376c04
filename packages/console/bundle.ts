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

/**
 * The console as it is served: index.html with its config inline, console.js
 * (main.js and every module it imports, bundled and minified into one file)
 * and console.css. The sources stay plain ES modules to read and to edit;
 * the bundle exists because a page of a dozen modules waits for a dozen
 * fetches, six at a time over HTTP/1.1, before its first API call.
 */
export async function bundleConsole(config: ConsoleConfig): Promise<Record<string, ConsoleFile>> {
  const html = await fs.readFile(path.join(CONSOLE_ASSETS, 'index.html'), 'utf8');
  if (!html.includes(CONFIG_ELEMENT)) throw new Error('index.html has no config element to fill');
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
  return {
    'index.html': {
      type: 'text/html; charset=utf-8',
      body: html.replace(
        CONFIG_ELEMENT,
        `<script id="console-config" type="application/json">${inline}</script>`,
      ),
    },
    'console.js': { type: 'text/javascript; charset=utf-8', body: bundled },
    'console.css': {
      type: 'text/css; charset=utf-8',
      body: await fs.readFile(path.join(CONSOLE_ASSETS, 'console.css'), 'utf8'),
    },
  };
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
