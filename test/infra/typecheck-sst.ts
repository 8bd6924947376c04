/**
 * Type-checks sst.config.ts against the platform types `sst install` writes to .sst/platform,
 * without AWS credentials or a deploy. Fails on any error outside .sst/: errors inside SST's
 * own sources depend on compiler flags SST was not written for and are not ours to fix.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const platformTypes = resolve(root, '.sst/platform/config.d.ts');

function installedSstVersion(): string {
  const manifest = JSON.parse(readFileSync(resolve(root, 'node_modules/sst/package.json'), 'utf8'));
  return String(manifest.version);
}

/** Types written by another SST version would check the config against the wrong API. */
function platformIsCurrent(): boolean {
  const versionFile = resolve(root, '.sst/platform/version');
  return (
    existsSync(platformTypes) &&
    existsSync(versionFile) &&
    readFileSync(versionFile, 'utf8').trim() === installedSstVersion()
  );
}

function installPlatform(): void {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [resolve(root, 'node_modules/sst/bin/sst.mjs'), 'install', '--stage', 'typecheck'],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        // The CLI otherwise downloads Pulumi and bun before every command; installing the
        // platform types needs neither Pulumi nor a bun other than the npm package.
        SST_SKIP_DEPENDENCY_CHECK: '1',
        SST_TELEMETRY_DISABLED: '1',
        // Absolute, because the CLI runs bun from inside .sst/platform.
        SST_BUN_PATH: resolve(root, 'node_modules/bun/bin/bun.exe'),
      },
    },
  );
  if (result.status !== 0 || !existsSync(platformTypes)) {
    console.error(`sst install failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  console.log(`sst install took ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** tsc prints one diagnostic per unindented line; indented lines continue the one above. */
function diagnostics(output: string): string[] {
  const found: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const last = found.length - 1;
    if (/^\s/.test(line) && last >= 0) found[last] = `${found[last]}\n${line}`;
    else found.push(line);
  }
  return found;
}

function isInsideSst(diagnostic: string): boolean {
  const file = /^(.+?)\(\d+,\d+\): /.exec(diagnostic)?.[1];
  if (file === undefined) return false;
  const path = relative(root, resolve(root, file));
  return !isAbsolute(path) && path.split(sep)[0] === '.sst';
}

if (!platformIsCurrent()) installPlatform();

const tsc = spawnSync(
  process.execPath,
  [
    resolve(root, 'node_modules/typescript/bin/tsc'),
    '--noEmit',
    '--pretty',
    'false',
    '-p',
    resolve(root, 'test/infra/tsconfig.sst.json'),
  ],
  { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
);
if (tsc.error) throw tsc.error;

const all = diagnostics(`${tsc.stdout}${tsc.stderr}`);
const ours = all.filter((diagnostic) => !isInsideSst(diagnostic));
for (const diagnostic of ours) console.error(diagnostic);

if (ours.length > 0 || (tsc.status !== 0 && all.length === 0)) {
  console.error(`sst.config.ts type-check failed (tsc exit ${tsc.status ?? tsc.signal})`);
  process.exit(1);
}
console.log(
  `sst.config.ts type-checks against SST's platform types ` +
    `(${all.length} diagnostics inside .sst/ ignored)`,
);
