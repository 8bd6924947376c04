import type { ScheduledEvent } from 'aws-lambda';

/** What EventBridge Scheduler sends a Lambda target, for invoking a scheduled handler locally. */
export function scheduledEvent(schedule = 'auditflow-relay'): ScheduledEvent {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:scheduler:us-east-1:000000000000:schedule/default/${schedule}`],
    detail: {},
  };
}
