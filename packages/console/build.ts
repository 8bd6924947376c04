/**
 * The deployed console: the bundled page with the config that tells it where
 * the API is. SST's StaticSite runs this with the site's `environment`, so
 * CONSOLE_API_URL is the stage's API URL.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { bundleConsole, type ConsoleConfig } from './index';

const out = path.join(import.meta.dirname, 'dist');
const apiUrl = process.env.CONSOLE_API_URL;
if (!apiUrl) throw new Error('CONSOLE_API_URL is not set: the console would not know its API.');

const config: ConsoleConfig = { apiUrl: apiUrl.replace(/\/$/, ''), devTokens: false };
const files = await bundleConsole(config);
await fs.rm(out, { recursive: true, force: true });
await fs.mkdir(out, { recursive: true });
for (const [name, file] of Object.entries(files)) {
  await fs.writeFile(path.join(out, name), file.body);
}
console.log(`console built into ${out} for ${config.apiUrl}`);
