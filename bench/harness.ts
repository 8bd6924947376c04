import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoginRolePasswords } from '@auditflow/db';

/** The repository root: handler paths and bundles resolve against it. */
export const ROOT = path.resolve(import.meta.dirname, '..');
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

/** A goal from the issue, checked against a figure of this run. */
export interface Target {
  name: string;
  value: number;
  /** Human-readable goal, e.g. `>= 0.7`. */
  target: string;
  met: boolean;
}

/** One line of the printed table: a figure, its same-run baseline and their ratio. */
export interface Row {
  label: string;
  value: number;
  unit: string;
  baseline?: { label: string; value: number } | undefined;
  /** value / baseline, unless the benchmark defines it otherwise (then it says so in `label`). */
  ratio?: number | undefined;
  note?: string | undefined;
}

export interface BenchResult {
  name: string;
  startedAt: string;
  /** The commit measured (`+` when the working tree had changes), when git can tell. */
  revision?: string | undefined;
  durationMs: number;
  machine: Machine;
  config: Record<string, unknown>;
  /** Figures as printed, each with its baseline and ratio. */
  rows: Row[];
  /** Every measurement, for whoever wants to recompute a figure. */
  results: unknown[];
  targets: Target[];
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
  postgres?: string;
}

export interface BenchContext {
  /** A Postgres server URL to create the benchmark's databases on; embedded if absent. */
  serverUrl?: string | undefined;
  /**
   * The login roles' passwords on that server, when something else already
   * set them (login roles belong to the whole server, so a stack that set its
   * own would lock out everything else connected as those roles).
   */
  rolePasswords?: LoginRolePasswords | undefined;
  /** Progress lines go here (stderr in the CLI; nowhere in tests). */
  log: (message: string) => void;
}

export interface Benchmark<C> {
  name: string;
  description: string;
  /** The configuration `npm run bench` uses. */
  full: () => C;
  /** A tiny configuration that only proves the harness works (CI). */
  smoke: () => C;
  run: (config: C, context: BenchContext) => Promise<Omit<BenchResult, 'machine' | 'name'>>;
}

/** The commit being measured, `+` marking uncommitted changes; undefined outside git. */
export function revision(): string | undefined {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return undefined;
  const dirty = git('status', '--porcelain', '--untracked-files=no').stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? '+' : ''}`;
}

export function machine(postgres?: string): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    ...(postgres && { postgres }),
  };
}

// ---------------------------------------------------------------- statistics

/** The q-quantile (0..1) of `samples` by nearest rank; NaN when there are none. */
export function quantile(samples: ArrayLike<number>, q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) =>
    sorted.length === 0
      ? Number.NaN
      : (sorted[
          Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
        ] as number);
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

/** The median; the mean of the middle two for an even count. */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Rounds for reports: 3 significant digits, integers above 100. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(3));
}

// ---------------------------------------------------------------- load

export interface ClosedLoopResult {
  ops: number;
  errors: number;
  elapsedMs: number;
  opsPerSecond: number;
  latenciesMs: Float64Array;
}

/**
 * Runs `op` back to back in `clients` concurrent loops: first for `warmupMs`
 * (not recorded), then for `durationMs`. Each client passes its own index,
 * so it can work on rows no other client touches. An op that throws counts
 * as an error and is not timed.
 */
export async function closedLoop(options: {
  clients: number;
  warmupMs: number;
  durationMs: number;
  op: (client: number) => Promise<void>;
}): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  let errors = 0;
  let recording = false;
  let stopping = false;
  let firstError: unknown;
  const loop = async (client: number) => {
    while (!stopping) {
      const started = performance.now();
      try {
        await options.op(client);
        if (recording && !stopping) latencies.push(performance.now() - started);
      } catch (error) {
        firstError ??= error;
        if (recording) errors++;
      }
    }
  };
  const loops = Array.from({ length: options.clients }, (_, client) => loop(client));
  await sleep(options.warmupMs);
  recording = true;
  const started = performance.now();
  await sleep(options.durationMs);
  stopping = true;
  const elapsedMs = performance.now() - started;
  await Promise.all(loops);
  if (latencies.length === 0 && firstError) throw firstError;
  return {
    ops: latencies.length,
    errors,
    elapsedMs,
    opsPerSecond: (latencies.length / elapsedMs) * 1000,
    latenciesMs: Float64Array.from(latencies),
  };
}

/** CPU time of the whole machine so far, in core-milliseconds: busy and total. */
export function machineCpu(): { busyMs: number; totalMs: number } {
  let busyMs = 0;
  let totalMs = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busyMs += user + nice + sys + irq;
    totalMs += user + nice + sys + irq + idle;
  }
  return { busyMs, totalMs };
}

/** Cores busy on the whole machine (all processes) between `since` and now. */
export function coresBusySince(since: { busyMs: number; totalMs: number }, wallMs: number): number {
  const now = machineCpu();
  return (now.busyMs - since.busyMs) / wallMs;
}

/** Reads a positive number from the environment, or returns the fallback. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

// ---------------------------------------------------------------- output

export async function writeResult(result: BenchResult, dir = RESULTS_DIR): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${result.name}.json`);
  await fs.writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

const formatNumber = (value: number) =>
  Number.isFinite(value) ? round(value).toLocaleString('en-US') : String(value);

/** The result as a plain-text table: figure, baseline, ratio; then the targets. */
export function formatTable(result: BenchResult): string {
  const notes = result.rows.some((row) => row.note);
  const header = ['figure', 'value', 'baseline', 'ratio', ...(notes ? ['note'] : [])];
  const body = result.rows.map((row) => [
    row.label,
    `${formatNumber(row.value)} ${row.unit}`.trim(),
    row.baseline ? `${formatNumber(row.baseline.value)} (${row.baseline.label})` : '',
    row.ratio === undefined ? '' : formatNumber(row.ratio),
    ...(notes ? [row.note ?? ''] : []),
  ]);
  const lines = [
    `${result.name}  (${(result.durationMs / 1000).toFixed(0)} s)`,
    ...columns([header, ...body]),
  ];
  if (result.targets.length > 0) {
    lines.push(
      '',
      ...columns([
        ['target', 'value', 'goal', ''],
        ...result.targets.map((t) => [
          t.name,
          formatNumber(t.value),
          t.target,
          t.met ? 'met' : 'MISSED',
        ]),
      ]),
    );
  }
  return lines.join('\n');
}

function columns(rows: string[][]): string[] {
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows.map((row, index) => {
    const line = row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
    return index === 0 ? `${line}\n${'-'.repeat(line.length)}` : line;
  });
}

export function target(name: string, value: number, op: '>=' | '<=', goal: number): Target {
  return {
    name,
    value: round(value),
    target: `${op} ${goal}`,
    met: op === '>=' ? value >= goal : value <= goal,
  };
}

/** A target met when `value` lies within [low, high], e.g. a ratio within 10% of 1. */
export function targetWithin(name: string, value: number, low: number, high: number): Target {
  return {
    name,
    value: round(value),
    target: `${low} .. ${high}`,
    met: value >= low && value <= high,
  };
}
