import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { deployedHandlers, parseHandler } from '@auditflow/functions';
import { build } from 'esbuild';
import { SST_LIKE } from '../test/support/sst-bundle';
import { type Benchmark, median, ROOT, type Row, round, target } from './harness';

export interface ColdStartConfig {
  /** Fresh processes per bundle; the median counts. */
  imports: number;
  /** Handlers to bundle; all of them unless limited (the smoke test takes a few). */
  limit?: number;
}

const MB = 1024 * 1024;
const BASELINE = 'baseline: empty handler';

/** Every Lambda sst.config.ts deploys: the routes, the migrator, the relay, the subscribers. */
export function handlerFiles(): string[] {
  return deployedHandlers().map((handler) => parseHandler(handler).file.replace(/\.ts$/, ''));
}

/**
 * Imports a bundle in a fresh Node process and returns how long the import
 * took, from the start of the import to its end (the process's own start-up
 * is the same for every bundle and is reported separately).
 */
function importInFreshProcess(file: string): { importMs: number; processMs: number } {
  const script = `
    const started = performance.now();
    const module = await import(${JSON.stringify(pathToFileURL(file).href)});
    const importMs = performance.now() - started;
    if (typeof module.handler !== 'function') process.exit(3);
    process.stdout.write(JSON.stringify({ importMs, processMs: performance.now() }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    // What a Lambda has: no database until the first invocation asks for one.
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', TZ: 'UTC' },
  });
  if (result.status !== 0) {
    throw new Error(`importing ${file} failed (${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as { importMs: number; processMs: number };
}

/** Bytes in the bundle per npm package (workspace code counted as `app`), largest first. */
function byPackage(inputs: Record<string, { bytesInOutput: number }>) {
  const totals = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = match?.[1] ?? 'app';
    totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  /** The packages that take the most bytes of the bundle, for what limits the size. */
  largestPackages: { name: string; bytes: number }[];
}

export const coldStart: Benchmark<ColdStartConfig> = {
  name: 'cold-start',
  description: 'bundled size of each Lambda handler and the time to import it in a fresh process',
  full: () => ({ imports: 7 }),
  smoke: () => ({ imports: 1, limit: 2 }),
  async run(config, context) {
    const startedAt = new Date().toISOString();
    const began = performance.now();
    const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-bench-bundles-'));
    const bundles: Bundle[] = [];
    const timings = new Map<string, { importMs: number; processMs: number }[]>();
    try {
      const entries = [
        { name: BASELINE, stdin: 'export const handler = async () => ({ statusCode: 200 });' },
        ...handlerFiles()
          .slice(0, config.limit)
          .map((name) => ({ name, stdin: undefined })),
      ];
      for (const [index, entry] of entries.entries()) {
        const outfile = path.join(outDir, `${index}.mjs`);
        const result = await build({
          ...SST_LIKE,
          ...(entry.stdin
            ? { stdin: { contents: entry.stdin, loader: 'ts', resolveDir: ROOT } }
            : { entryPoints: [path.join(ROOT, `${entry.name}.ts`)] }),
          outfile,
        });
        const code = await fs.readFile(outfile);
        const output = Object.values(result.metafile?.outputs ?? {})[0];
        bundles.push({
          name: entry.name,
          file: outfile,
          bytes: code.length,
          gzipBytes: gzipSync(code).length,
          largestPackages: byPackage(output?.inputs ?? {}).slice(0, 5),
        });
      }
      context.log(`${bundles.length} bundles; importing each ${config.imports} time(s)`);
      // Rounds over all bundles, so a noisy moment hits them alike.
      for (let i = 0; i < config.imports; i++) {
        for (const bundle of bundles) {
          const timing = importInFreshProcess(bundle.file);
          timings.set(bundle.name, [...(timings.get(bundle.name) ?? []), timing]);
        }
      }
    } finally {
      await fs.rm(outDir, { recursive: true, force: true });
    }

    const importMs = (name: string) => median((timings.get(name) ?? []).map((t) => t.importMs));
    const processMs = (name: string) => median((timings.get(name) ?? []).map((t) => t.processMs));
    const baseline = bundles[0] as Bundle;
    const handlers = bundles.slice(1);
    const rows: Row[] = [];
    for (const bundle of handlers) {
      rows.push(
        {
          label: `${bundle.name}: size`,
          value: bundle.bytes / 1024,
          unit: 'KiB',
          baseline: { label: 'empty handler', value: baseline.bytes / 1024 },
          ratio: bundle.bytes / MB,
          note: `ratio = size / 1 MiB target; largest: ${bundle.largestPackages
            .slice(0, 3)
            .map((p) => `${p.name} ${Math.round(p.bytes / 1024)} KiB`)
            .join(', ')}`,
        },
        {
          label: `${bundle.name}: import`,
          value: importMs(bundle.name),
          unit: 'ms',
          baseline: { label: 'empty handler', value: importMs(baseline.name) },
          ratio: importMs(bundle.name) / 300,
          note: 'ratio = import / 300 ms target',
        },
      );
    }
    const largest = handlers.reduce((a, b) => (b.bytes > a.bytes ? b : a), baseline);
    const slowest = handlers.reduce(
      (a, b) => (importMs(b.name) > importMs(a.name) ? b : a),
      baseline,
    );
    return {
      startedAt,
      durationMs: performance.now() - began,
      config: {
        ...config,
        bundler: 'esbuild, as SST bundles for deploy: esm, esnext, minify, keepNames, all bundled',
        ratios: 'size / 1 MB and import / 300 ms (the targets); baselines: an empty handler',
      },
      rows,
      results: bundles.map((bundle) => ({
        handler: bundle.name,
        bytes: bundle.bytes,
        gzipBytes: bundle.gzipBytes,
        largestPackages: bundle.largestPackages,
        importMs: {
          median: round(importMs(bundle.name)),
          all: (timings.get(bundle.name) ?? []).map((t) => round(t.importMs)),
        },
        processStartToImportedMs: round(processMs(bundle.name)),
      })),
      targets: handlers.length
        ? [
            target(`largest bundle (${largest.name}), MiB`, largest.bytes / MB, '<=', 1),
            target(`slowest import (${slowest.name}), ms`, importMs(slowest.name), '<=', 300),
          ]
        : [],
    };
  },
};
