import path from 'node:path';
import { type ParserPlugin, parse } from '@babel/parser';
import type { File, Node } from '@babel/types';
import { readAllowComments } from './allow-comments';
import { findBuilderWrites } from './kysely-writes';
import { findSqlWrites } from './sql-writes';
import { type ConstBindings, collectConsts, staticPieces } from './static-strings';
import { walk } from './walk';

/** A file to check: its path relative to the repository root (with `/`), and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

export type ViolationKind = 'builder-write' | 'sql-write' | 'allow-without-reason' | 'unparsable';

/** One break of the rule, at a 1-based line and column. */
export interface Violation {
  path: string;
  line: number;
  column: number;
  kind: ViolationKind;
  message: string;
}

export interface FindViolationsOptions {
  files: readonly SourceFile[];
  /** The tables that hold business state. */
  domainTables: readonly string[];
  /** Globs (relative to the root) of the files that may write them. */
  allowedGlobs: readonly string[];
}

/**
 * Checks in-memory sources against the one rule: outside `allowedGlobs`, no
 * code writes a domain table, whether through a Kysely builder call or raw
 * SQL in any string or template literal. A write is forgiven when a
 * `// one-rule-allow: <reason>` comment stands on the line above it (or above
 * its statement) or at the end of its line. A file that cannot be parsed is a
 * violation too, since it cannot be shown to keep the rule.
 * Returns the violations sorted by path and position; never throws on bad input.
 */
export function findViolations(options: FindViolationsOptions): Violation[] {
  const domainTables = new Set(options.domainTables);
  return options.files
    .filter((file) => !isAllowed(file.path, options.allowedGlobs))
    .flatMap((file) => checkFile(file, domainTables))
    .sort(
      (a, b) =>
        (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.line - b.line || a.column - b.column,
    );
}

/** Whether `filePath` (relative, with `/`) lies where domain tables may be written. */
export function isAllowed(filePath: string, allowedGlobs: readonly string[]): boolean {
  return allowedGlobs.some((glob) => path.posix.matchesGlob(filePath, glob));
}

interface Finding {
  offset: number;
  /** Where the write's expression and statement begin: an allow comment above either covers it. */
  anchors: number[];
  kind: ViolationKind;
  message: string;
}

function checkFile(file: SourceFile, domainTables: ReadonlySet<string>): Violation[] {
  let ast: File;
  try {
    ast = parseSource(file);
  } catch (error) {
    const at = (error as { loc?: { line: number; column: number } }).loc;
    return [
      {
        path: file.path,
        line: at?.line ?? 1,
        column: (at?.column ?? 0) + 1,
        kind: 'unparsable',
        message: `cannot be parsed, so it cannot be checked: ${(error as Error).message}`,
      },
    ];
  }

  const consts = collectConsts(ast);
  const findings: Finding[] = [];
  walk(ast.program, (node, ancestors) => {
    findings.push(...findingsAt(node, ancestors, consts, domainTables));
  });

  const lines = lineStarts(file.text);
  const allow = readAllowComments(ast.comments ?? [], file.text);
  // The same literal can be reached more than once (directly, through a const,
  // inside a concatenation): one violation, allowed if any route is allowed.
  const byPlace = new Map<string, { violation: Violation; allowed: boolean }>();
  for (const finding of findings) {
    const { line, column } = position(lines, finding.offset);
    const key = `${line}:${column}:${finding.message}`;
    const allowed = [line, ...finding.anchors].some((anchor) => allow.lines.has(anchor));
    const known = byPlace.get(key);
    if (known) known.allowed ||= allowed;
    else {
      const violation = {
        path: file.path,
        line,
        column,
        kind: finding.kind,
        message: finding.message,
      };
      byPlace.set(key, { violation, allowed });
    }
  }
  const violations = [...byPlace.values()].filter((v) => !v.allowed).map((v) => v.violation);
  for (const marker of allow.withoutReason) {
    violations.push({
      path: file.path,
      ...marker,
      kind: 'allow-without-reason',
      message:
        'one-rule-allow without a reason: write `// one-rule-allow: <why this write may bypass the write unit>`',
    });
  }
  return violations;
}

function findingsAt(
  node: Node,
  ancestors: readonly Node[],
  consts: ConstBindings,
  domainTables: ReadonlySet<string>,
): Finding[] {
  const anchors = (): number[] => [node.loc?.start.line ?? 0, statementLine(ancestors) ?? 0];
  const builderWrites = findBuilderWrites(node, consts, domainTables);
  if (builderWrites.length > 0) {
    return builderWrites.map((write) => ({
      offset: write.offset,
      anchors: anchors(),
      kind: 'builder-write',
      message: `Kysely ${write.method}('${write.table}') writes a domain table outside the write unit`,
    }));
  }
  if (!isTextRoot(node, ancestors.at(-1))) return [];
  const pieces = staticPieces(node, consts);
  if (!pieces) return [];
  return findSqlWrites(pieces, domainTables).map((write) => ({
    offset: write.offset,
    anchors: anchors(),
    kind: 'sql-write',
    message: `raw SQL "${write.statement}" writes a domain table outside the write unit`,
  }));
}

// Literals and the outermost `+` of a concatenation; the inner `+` nodes add nothing new.
function isTextRoot(node: Node, parent: Node | undefined): boolean {
  if (node.type === 'StringLiteral' || node.type === 'TemplateLiteral') return true;
  if (node.type !== 'BinaryExpression' || node.operator !== '+') return false;
  return !(parent?.type === 'BinaryExpression' && parent.operator === '+');
}

const FUNCTION_TYPES = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ObjectMethod',
  'ClassMethod',
  'ClassPrivateMethod',
]);

/** The first line of the innermost statement around a node, unless a function lies between them. */
function statementLine(ancestors: readonly Node[]): number | undefined {
  for (let i = ancestors.length - 1; i >= 0; i -= 1) {
    const node = ancestors[i];
    if (!node || FUNCTION_TYPES.has(node.type)) return undefined;
    const statement =
      (node.type.endsWith('Statement') && node.type !== 'BlockStatement') ||
      node.type === 'VariableDeclaration' ||
      node.type === 'ClassProperty' ||
      node.type === 'ClassPrivateProperty' ||
      node.type === 'ClassAccessorProperty';
    if (statement) return node.loc?.start.line;
  }
  return undefined;
}

function parseSource(file: SourceFile): File {
  const extension = /\.[cm]?[jt]sx?$/.exec(file.path)?.[0] ?? '.ts';
  const typescript = extension.includes('t');
  const plugins: ParserPlugin[] = typescript
    ? [['typescript', { dts: /\.d\.[cm]?ts$/.test(file.path) }]]
    : ['jsx'];
  if (extension === '.tsx') plugins.push('jsx');
  const parseAs = (sourceType: 'module' | 'script'): File =>
    parse(file.text, {
      sourceType,
      plugins,
      errorRecovery: true,
      allowReturnOutsideFunction: true,
    });
  try {
    return parseAs('module');
  } catch (error) {
    // CommonJS or sloppy-mode scripts do not parse as modules.
    try {
      return parseAs('script');
    } catch {
      throw error;
    }
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function position(starts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((starts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
}
