import type { RequeueBy } from '@auditflow/operator';

/** Who the tests' retries and replays are recorded as. */
export const requeuedBy: RequeueBy = {
  actor: 'operator:test',
  reason: 'the bus rule is fixed',
  correlationId: 'requeue-test',
};
