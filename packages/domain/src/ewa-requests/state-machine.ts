import type { EwaRequestStatus } from '@auditflow/db';
import { nextStatus, type TransitionTable } from '../shared/state-machine';

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

export const nextEwaRequestStatus = (current: EwaRequestStatus, command: EwaRequestCommand) =>
  nextStatus(ewaRequestTransitions, 'EWA request', current, command);
