import type { Violation } from './find-violations';
import type { ScanResult } from './scan';

/** `path:line:col  message`, the shape editors and CI logs turn into links. */
export function formatViolation(violation: Violation): string {
  return `${violation.path}:${violation.line}:${violation.column}  ${violation.message}`;
}

/** The checker's whole output: one line when the rule holds, the violations and what to do otherwise. */
export function formatReport(
  result: ScanResult,
  domainTables: readonly string[],
  allowedGlobs: readonly string[],
): string {
  const tables = domainTables.join(', ');
  const places = allowedGlobs.join(' and ');
  const files = plural(result.filesScanned, 'file');
  if (result.violations.length === 0) {
    return `one-rule: OK, ${files} scanned; no writes to ${tables} outside ${places}`;
  }
  return [
    ...result.violations.map(formatViolation),
    '',
    `one-rule: ${plural(result.violations.length, 'violation')} in ${files} scanned.`,
    `Domain tables (${tables}) may be written only in ${places}:`,
    'the write unit writes the audit row and the outbox event in the same transaction.',
    'Go through a write-unit command instead; for a deliberate exception, put',
    '`// one-rule-allow: <reason>` on the line above the write.',
  ].join('\n');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
