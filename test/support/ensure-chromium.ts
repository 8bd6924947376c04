import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CHROMIUM } from './browser';

/**
 * The first step of `npm test`: the console's browser tests drive Debian's
 * chromium (playwright-core never downloads a browser). When it is missing
 * and this runs as root on Debian, it is installed with apt; otherwise the
 * run stops here with what to do, instead of failing later in a browser test.
 */
function ensureChromium(): number {
  if (existsSync(CHROMIUM)) return 0;
  const root = process.getuid?.() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    console.error(
      `No chromium at ${CHROMIUM}. Install Debian's chromium (sudo apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
    return 1;
  }
  console.log('Installing Debian chromium for the browser tests (apt-get install chromium)...');
  const apt = (args: string[]) =>
    spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status;
  if (apt(['update', '-qq']) !== 0 || apt(['install', '-y', '-qq', 'chromium']) !== 0) return 1;
  return existsSync(CHROMIUM) ? 0 : 1;
}

process.exitCode = ensureChromium();
