/**
 * The deployed console: its static files as they are, plus the config.json
 * that tells the page where the API is. SST's StaticSite runs this with the
 * site's `environment`, so CONSOLE_API_URL is the stage's API URL.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CONSOLE_ASSETS, type ConsoleConfig } from './index';

const out = path.join(import.meta.dirname, 'dist');
const apiUrl = process.env.CONSOLE_API_URL;
if (!apiUrl) throw new Error('CONSOLE_API_URL is not set: the console would not know its API.');

await fs.rm(out, { recursive: true, force: true });
await fs.cp(CONSOLE_ASSETS, out, { recursive: true });
const config: ConsoleConfig = { apiUrl: apiUrl.replace(/\/$/, ''), devTokens: false };
await fs.writeFile(path.join(out, 'config.json'), `${JSON.stringify(config)}\n`);
console.log(`console built into ${out} for ${config.apiUrl}`);
