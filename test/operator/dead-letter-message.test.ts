import { parseDeadLetter } from '@auditflow/operator/redrive';
import { describe, expect, it } from 'vitest';

/** A target event as EventBridge hands it over: what the relay published, seen by a rule. */
const event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'payroll.run_paid.v1',
  source: 'auditflow.payroll',
  account: '111122223333',
  time: '2026-11-30T09:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: {
    id: '019ad4d0-7c1e-7000-8000-000000000001',
    type: 'payroll.run_paid.v1',
    tenantId: 'acme',
    aggregate: { type: 'payroll_run', id: '019ad4d0-7c1e-7000-8000-0000000000aa', version: 4 },
    occurredAt: '2026-11-30T08:59:59.123Z',
    correlationId: 'corr-1',
    causationId: null,
    actor: 'bob',
    data: { paidBy: 'bob' },
  },
};

describe('reading a subscriber dead-letter message', () => {
  it("reads EventBridge's own message: the event as the body, the reason in its attributes", () => {
    const parsed = parseDeadLetter(JSON.stringify(event), {
      ERROR_CODE: 'SDK_CLIENT_ERROR',
      ERROR_MESSAGE: 'Unable to invoke Lambda function: Rate Exceeded.',
      EXHAUSTED_RETRY_CONDITION: 'MaximumEventAgeInSeconds',
      RETRY_ATTEMPTS: '185',
      RULE_ARN:
        'arn:aws:events:eu-west-1:111122223333:rule/auditflow-production-BusSettleEwaOnRunPaid',
      TARGET_ARN:
        'arn:aws:lambda:eu-west-1:111122223333:function:auditflow-production-BusSettleEwaOnRunPaidFunction',
    });
    expect(parsed).toEqual({
      shape: 'eventbridge',
      event,
      failure: 'SDK_CLIENT_ERROR: Unable to invoke Lambda function: Rate Exceeded.',
    });
  });

  it("reads Lambda's on-failure record: the event as requestPayload, the error in responsePayload", () => {
    const record = {
      version: '1.0',
      timestamp: '2026-11-30T09:03:12.117Z',
      requestContext: {
        requestId: 'c7f3b3a2-6d1e-4b0a-9d55-0e6f0c2b7a11',
        functionArn:
          'arn:aws:lambda:eu-west-1:111122223333:function:auditflow-production-BusSettleEwaOnRunPaidFunction:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: {
        errorType: 'Error',
        errorMessage: 'Connection terminated unexpectedly',
        trace: ['Error: Connection terminated unexpectedly', '    at Connection.<anonymous>'],
      },
    };
    expect(parseDeadLetter(JSON.stringify(record))).toEqual({
      shape: 'lambda-failure',
      event,
      failure: 'RetriesExhausted after 3 invocation(s): Error: Connection terminated unexpectedly',
    });
  });

  it('reads a record of an event that aged out before any invocation, which has no response', () => {
    const record = {
      version: '1.0',
      timestamp: '2026-11-30T15:00:00.000Z',
      requestContext: {
        requestId: 'f1d2d2f9-24c1-4d2b-9a3e-6b1e6f0a9d21',
        functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:settle:$LATEST',
        condition: 'EventAgeExceeded',
        approximateInvokeCount: 0,
      },
      requestPayload: event,
    };
    expect(parseDeadLetter(JSON.stringify(record))).toMatchObject({
      shape: 'lambda-failure',
      failure: 'EventAgeExceeded after 0 invocation(s)',
    });
  });

  it('calls anything else unreadable, saying why', () => {
    expect(parseDeadLetter('not json')).toEqual({
      shape: 'unreadable',
      reason: 'the body is not JSON',
    });
    expect(parseDeadLetter('{"hello":"world"}')).toMatchObject({ shape: 'unreadable' });
    expect(parseDeadLetter(JSON.stringify({ ...event, 'detail-type': undefined }))).toMatchObject({
      shape: 'unreadable',
    });
    const record = {
      version: '1.0',
      timestamp: 't',
      requestContext: {
        requestId: 'r',
        functionArn: 'f',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 1,
      },
      requestPayload: { not: 'an event' },
    };
    expect(parseDeadLetter(JSON.stringify(record))).toEqual({
      shape: 'unreadable',
      reason: 'a Lambda failure record whose payload is no EventBridge event',
    });
  });
});
