import type { EwaRequestStatus } from '@auditflow/db';
import { nextStatus, type TransitionTable } from '../shared/state-machine';

export type EwaRequestCommand = 'approve' | 'decline' | 'disburse';

/** REQUESTED -approve-> APPROVED -disburse-> DISBURSED; REQUESTED -decline-> DECLINED. */
export const ewaRequestTransitions: TransitionTable<EwaRequestStatus, EwaRequestCommand> = {
  approve: { from: ['REQUESTED'], to: 'APPROVED' },
  decline: { from: ['REQUESTED'], to: 'DECLINED' },
  disburse: { from: ['APPROVED'], to: 'DISBURSED' },
};

export const nextEwaRequestStatus = (current: EwaRequestStatus, command: EwaRequestCommand) =>
  nextStatus(ewaRequestTransitions, 'EWA request', current, command);
