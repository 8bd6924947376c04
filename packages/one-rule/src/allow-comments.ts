import type { Comment } from '@babel/types';

/** The marker of the escape hatch: `// one-rule-allow: <reason>`. */
export const ALLOW_MARKER = 'one-rule-allow';

/** What a file's `one-rule-allow` comments permit. */
export interface AllowComments {
  /** Lines (1-based) on which a violation is suppressed. */
  lines: ReadonlySet<number>;
  /** Markers without a reason: they suppress nothing and are violations themselves. */
  withoutReason: ReadonlyArray<{ line: number; column: number }>;
}

/**
 * Reads the escape hatch. A comment `one-rule-allow: <reason>` that has code
 * before it on its line covers that line; one that stands alone covers the
 * next line. The reason is what a reviewer reads, so a marker without one
 * covers nothing and is reported instead.
 */
export function readAllowComments(comments: readonly Comment[], text: string): AllowComments {
  const lines = new Set<number>();
  const withoutReason: Array<{ line: number; column: number }> = [];
  for (const comment of comments) {
    const match = new RegExp(`^[\\s*]*${ALLOW_MARKER}(?![\\w-])(.*)$`, 's').exec(comment.value);
    if (!match || !comment.loc) continue;
    const { start, end } = comment.loc;
    const reason = /^\s*:(.*)$/s.exec(match[1] ?? '')?.[1]?.trim() ?? '';
    if (reason === '') {
      withoutReason.push({ line: start.line, column: start.column + 1 });
      continue;
    }
    const before = text.slice(start.index - start.column, start.index);
    lines.add(before.trim() === '' ? end.line + 1 : start.line);
  }
  return { lines, withoutReason };
}
