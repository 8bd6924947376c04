import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { benchmarks } from '../../bench/benchmarks';
import { type BenchResult, formatTable, machine, writeResult } from '../../bench/harness';
import { TEST_ROLE_PASSWORDS } from '../support/roles';

/**
 * The benchmarks' tiny configurations: each runs end to end against the test
 * server and reports figures with baselines and targets. Nothing here looks
 * at how fast anything was.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
let resultsDir: string;

beforeAll(async () => {
  resultsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-bench-results-'));
});
afterAll(async () => {
  await fs.rm(resultsDir, { recursive: true, force: true });
});

describe('benchmarks (smoke)', () => {
  it.each(benchmarks.map((benchmark) => [benchmark.name, benchmark] as const))(
    '%s runs its tiny configuration and writes figures with baselines and targets',
    async (name, benchmark) => {
      const outcome = await benchmark.run(benchmark.smoke(), {
        serverUrl: inject('serverUrl'),
        rolePasswords: TEST_ROLE_PASSWORDS,
        log: () => {},
      });
      const result: BenchResult = { name, ...outcome, machine: machine() };
      const written = JSON.parse(await fs.readFile(await writeResult(result, resultsDir), 'utf8'));

      expect(written).toMatchObject({
        name,
        startedAt: expect.any(String),
        machine: { cpus: expect.any(Number), node: process.version },
        config: expect.any(Object),
      });
      expect(written.results.length).toBeGreaterThan(0);
      expect(written.rows.length).toBeGreaterThan(0);
      for (const row of written.rows) {
        expect(Number.isFinite(row.value), `${row.label} has a value`).toBe(true);
      }
      expect(written.targets.length).toBeGreaterThan(0);
      for (const target of written.targets) {
        expect(target).toMatchObject({
          name: expect.any(String),
          value: expect.any(Number),
          target: expect.any(String),
          met: expect.any(Boolean),
        });
      }
      expect(formatTable(result)).toContain(name);
    },
    60_000,
  );

  it('runs one benchmark by name from the command line and writes its JSON', () => {
    const run = spawnSync(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['bench/run.ts', 'cold-start', '--smoke'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, BENCH_RESULTS_DIR: resultsDir },
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('cold-start');
    expect(run.stdout).toContain(path.join(resultsDir, 'cold-start.json'));
  }, 60_000);

  it('refuses an unknown benchmark name', () => {
    const run = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['bench/run.ts', 'nope'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown benchmark: nope');
  });
});
