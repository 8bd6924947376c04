/**
 * `npm run bench` runs every benchmark; `npm run bench -- <name> [<name>...]`
 * runs some. Each prints a table and writes bench/results/<name>.json
 * (BENCH_RESULTS_DIR moves them). `--smoke` runs the tiny configurations CI
 * uses. BENCH_DATABASE_URL runs them on that server instead of an embedded one.
 * Exit codes: 0 every benchmark ran (targets met or not), 1 one failed to
 * run, 2 unknown benchmark.
 */

// The handlers and the relay log every request and event at INFO; on a
// benchmark's stdout that would drown the tables (and cost what Lambda's
// asynchronous log shipping does not). Set before any logger is created.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const { benchmarks } = await import('./benchmarks');
const { formatTable, machine, revision, writeResult } = await import('./harness');

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const names = args.filter((arg) => !arg.startsWith('--'));
const unknown = names.filter((name) => !benchmarks.some((b) => b.name === name));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark: ${unknown.join(', ')}; choose from ${benchmarks.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}
const selected = names.length > 0 ? benchmarks.filter((b) => names.includes(b.name)) : benchmarks;

let failed = false;
for (const benchmark of selected) {
  const log = (message: string) => process.stderr.write(`[${benchmark.name}] ${message}\n`);
  log(benchmark.description);
  try {
    const config = smoke ? benchmark.smoke() : benchmark.full();
    const outcome = await benchmark.run(config, { log });
    const postgres = (outcome.config as { postgres?: string }).postgres;
    const result = {
      name: benchmark.name,
      revision: revision(),
      ...outcome,
      machine: machine(postgres),
    };
    const file = await writeResult(result, process.env.BENCH_RESULTS_DIR || undefined);
    console.log(`\n${formatTable(result)}\n(${file})\n`);
  } catch (error) {
    failed = true;
    console.error(`[${benchmark.name}] failed:`, error);
  }
}
process.exit(failed ? 1 : 0);

export {};
