import path from 'node:path';
import { parseArgs } from 'node:util';
import { DOMAIN_TABLES } from '@auditflow/db';
import { formatReport } from './report';
import { ALLOWED_GLOBS, scanRepository } from './scan';

// Exit codes: 0 the rule holds, 1 it is broken, 2 the checker was called wrongly.
const USAGE =
  'usage: tsx packages/one-rule/src/bin.ts [--root <dir>]  (default: the current directory)';

let root: string;
try {
  const { values } = parseArgs({ options: { root: { type: 'string' } }, strict: true });
  root = path.resolve(values.root ?? process.cwd());
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}

const result = await scanRepository(root);
const report = formatReport(result, DOMAIN_TABLES, ALLOWED_GLOBS);
if (result.violations.length > 0) {
  console.error(report);
  process.exitCode = 1;
} else {
  console.log(report);
}
