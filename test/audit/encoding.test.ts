import {
  contentText,
  GENESIS_HASH,
  jsonbString,
  linkHash,
  linkText,
  sha256Hex,
} from '@auditflow/audit';
import { describe, expect, it } from 'vitest';

/** The worked example of docs/audit-verification.md: if these change, so must the document. */
const TRANSITION = [
  '01a23bce-7973-74b4-995e-f4a981f5e661',
  'acme',
  'payroll_run',
  '01a23bce-6f00-7c21-8d6b-3b2a1f0e9c44',
  '2',
  'submit',
  'DRAFT',
  'SUBMITTED',
  'alice',
  '2026-11-03T09:15:02.123456Z',
  'req-7',
  '01a23bce-7973-74b4-995e-f4a981f5e662',
  '01a23bce-7973-74b4-995e-f4a981f5e663',
  '1042',
];

describe('the chain encoding, version 1', () => {
  it('renders content as a jsonb array: ", " between elements, strings escaped, SQL NULL as null, jsonb as given', () => {
    expect(
      contentText('auditflow.audit.v1', ['x', null, { jsonb: '{"b": [1, 2.50], "aa": "é\\n"}' }]),
    ).toBe('["auditflow.audit.v1", "x", null, {"b": [1, 2.50], "aa": "é\\n"}]');
  });

  it('escapes strings as Postgres writes jsonb: quote, backslash, short control escapes, other controls as \\u00xx', () => {
    expect(jsonbString('plain é 😀')).toBe('"plain é 😀"');
    expect(jsonbString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(jsonbString('\b\f\n\r\t')).toBe('"\\b\\f\\n\\r\\t"');
    expect(jsonbString('\u0000\u0001\u001f\u007f\u2028')).toBe(
      '"\\u0000\\u0001\\u001f\u007f\u2028"',
    );
  });

  it('hashes the worked example of the documentation to its published digests', () => {
    const content = contentText('auditflow.transition.v1', TRANSITION);
    expect(sha256Hex(content)).toBe(
      '2352f23d2c074429c049a3a0839e1216f73d920d986ca9565d946a4e9c4fd57e',
    );
    const link = {
      tenantId: 'acme',
      seq: 3,
      kind: 'transition' as const,
      rowId: TRANSITION[0] as string,
      contentHash: sha256Hex(content),
      prevHash: `a${GENESIS_HASH.slice(1)}`,
    };
    expect(linkText(link).split('\n')).toEqual([
      'auditflow.chain.v1',
      'acme',
      '3',
      'transition',
      link.rowId,
      link.contentHash,
      link.prevHash,
    ]);
    expect(linkHash(link)).toBe('48ff7a3ec2b3689036805912f081342e867ad16cc9a9dff1e6cc87f2b291c129');
  });
});
