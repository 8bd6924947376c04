import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DOMAIN_TABLES } from '@auditflow/db';
import { findViolations, type SourceFile, type Violation } from './find-violations';

/** The files that hold code. Markdown and other prose are not scanned. */
export const SOURCE_EXTENSIONS: readonly string[] = [
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.js',
  '.mjs',
  '.cjs',
];

/** Directories skipped wherever they are: installed, generated or local data. */
export const IGNORED_DIRECTORIES: readonly string[] = [
  'node_modules',
  '.git',
  '.sst',
  '.data',
  'dist',
  'coverage',
];

/** Paths (relative to the root) skipped as a whole: generated output. */
export const IGNORED_PATHS: readonly string[] = ['bench/results'];

/**
 * Where domain tables may be written: the write unit's one file of domain row
 * statements (its callers write the audit row and the outbox event in the same
 * transaction), and the migrations, which own the schema.
 */
export const ALLOWED_GLOBS: readonly string[] = [
  'packages/write-unit/src/domain-rows.ts',
  'migrations/*.ts',
];

export interface ScanResult {
  /** Source files found, including those in allowed locations. */
  filesScanned: number;
  violations: Violation[];
}

/**
 * Lists the source files under `rootDir` as sorted, `/`-separated relative
 * paths, skipping {@link IGNORED_DIRECTORIES} and {@link IGNORED_PATHS}.
 * Symbolic links are not followed.
 */
export async function listSourceFiles(rootDir: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (relativeDir: string): Promise<void> => {
    const entries = await readdir(path.join(rootDir, relativeDir), { withFileTypes: true });
    for (const entry of entries) {
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!IGNORED_DIRECTORIES.includes(entry.name) && !IGNORED_PATHS.includes(relative)) {
          await visit(relative);
        }
      } else if (entry.isFile() && SOURCE_EXTENSIONS.includes(path.extname(entry.name))) {
        found.push(relative);
      }
    }
  };
  await visit('');
  return found.sort();
}

/**
 * Checks every source file under `rootDir` against the one rule, with the
 * domain tables of `@auditflow/db` and {@link ALLOWED_GLOBS}. Reads files only;
 * throws only when the tree cannot be read.
 */
export async function scanRepository(rootDir: string): Promise<ScanResult> {
  const paths = await listSourceFiles(rootDir);
  const files: SourceFile[] = await Promise.all(
    paths.map(async (relative) => ({
      path: relative,
      text: await readFile(path.join(rootDir, relative), 'utf8'),
    })),
  );
  const violations = findViolations({
    files,
    domainTables: DOMAIN_TABLES,
    allowedGlobs: ALLOWED_GLOBS,
  });
  return { filesScanned: files.length, violations };
}
