import type { EwaRequestStatus } from '@auditflow/db';
import type { TransitionTable } from '../shared/state-machine';
import type { Lifecycle } from '../shared/transition';
import { ewaRequests } from './aggregate';

export type EwaRequestCommand = 'approve' | 'decline' | 'disburse' | 'settle';

/**
 * REQUESTED -approve-> APPROVED -disburse-> DISBURSED -settle-> SETTLED;
 * REQUESTED -decline-> DECLINED. Settling happens when the payroll run of the
 * request's period is paid (a subscriber), never over HTTP.
 */
export const ewaRequestTransitions: TransitionTable<EwaRequestStatus, EwaRequestCommand> = {
  approve: { from: ['REQUESTED'], to: 'APPROVED' },
  decline: { from: ['REQUESTED'], to: 'DECLINED' },
  disburse: { from: ['APPROVED'], to: 'DISBURSED' },
  settle: { from: ['DISBURSED'], to: 'SETTLED' },
};

export const ewaRequestLifecycle: Lifecycle<'ewa_requests', EwaRequestCommand> = {
  aggregate: ewaRequests,
  noun: 'EWA request',
  transitions: ewaRequestTransitions,
};
