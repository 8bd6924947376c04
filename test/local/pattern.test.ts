import { type EventBridgeTargetEvent, matchesPattern } from '@auditflow/local';
import { describe, expect, it } from 'vitest';

const event: EventBridgeTargetEvent = {
  version: '0',
  id: 'e1',
  'detail-type': 'payroll.run_paid.v1',
  source: 'auditflow.payroll',
  account: '000000000000',
  time: '2026-11-23T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { tenantId: 'acme', aggregate: { type: 'payroll_run' }, data: { currency: 'EUR' } },
};

describe('event pattern matching', () => {
  it.each([
    ['an empty pattern', {}, true],
    ['a listed source', { source: ['auditflow.ewa', 'auditflow.payroll'] }, true],
    ['another source', { source: ['auditflow.ewa'] }, false],
    ['a listed detail type', { detailType: ['payroll.run_paid.v1'] }, true],
    ['another detail type', { detailType: ['payroll.run_created.v1'] }, false],
    ['a detail field value', { detail: { tenantId: ['acme'] } }, true],
    ['a nested detail field', { detail: { data: { currency: ['EUR', 'USD'] } } }, true],
    ['a wrong nested value', { detail: { data: { currency: ['USD'] } } }, false],
    ['a missing detail field', { detail: { missing: ['x'] } }, false],
    ['all keys at once (AND)', { source: ['auditflow.payroll'], detailType: ['x'] }, false],
    [
      'an unsupported operator, which matches nothing',
      { detail: { tenantId: [{ prefix: 'ac' }] } },
      false,
    ],
  ])('matches %s: %s', (_label, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});
