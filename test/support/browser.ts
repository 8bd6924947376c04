import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's chromium (`apt-get install chromium`; `npm test` installs it when missing), or
 * the one CHROMIUM_PATH names: playwright-core drives an installed browser
 * and never downloads one.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root (CI and these machines) cannot use chromium's user-namespace sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}
