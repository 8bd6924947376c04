import type { DB } from '@auditflow/db';
import type { EventType } from '@auditflow/events';
import { type Kysely, sql } from 'kysely';
import { ewaRequests } from './ewa-requests/aggregate';
import { type EwaRequestCommand, ewaRequestTransitions } from './ewa-requests/state-machine';
import { payrollRuns } from './payroll-runs/aggregate';
import { type PayrollRunCommand, payrollRunTransitions } from './payroll-runs/state-machine';
import type { TransitionTable } from './shared/state-machine';

/** One move the database accepts: `from` null is the creation. */
export interface LegalTransition {
  aggregateType: string;
  command: string;
  from: string | null;
  to: string;
  eventType: EventType;
}

/** The event each payroll run command records. */
const payrollRunEvents: Record<PayrollRunCommand | 'create', EventType> = {
  create: 'payroll.run_created.v1',
  submit: 'payroll.run_submitted.v1',
  approve: 'payroll.run_approved.v1',
  reject: 'payroll.run_rejected.v1',
  'mark-paid': 'payroll.run_paid.v1',
  cancel: 'payroll.run_cancelled.v1',
};

/** The event each EWA request command records. */
const ewaRequestEvents: Record<EwaRequestCommand | 'create', EventType> = {
  create: 'ewa.request_created.v1',
  approve: 'ewa.request_approved.v1',
  decline: 'ewa.request_declined.v1',
  disburse: 'ewa.request_disbursed.v1',
  settle: 'ewa.request_settled.v1',
};

function movesOf<Status extends string, Command extends string>(
  aggregateType: string,
  initial: Status,
  table: TransitionTable<Status, Command>,
  events: Record<Command | 'create', EventType>,
): LegalTransition[] {
  const moves: LegalTransition[] = [
    { aggregateType, command: 'create', from: null, to: initial, eventType: events.create },
  ];
  for (const [command, rule] of Object.entries(table) as [Command, (typeof table)[Command]][]) {
    for (const from of rule.from) {
      moves.push({ aggregateType, command, from, to: rule.to, eventType: events[command] });
    }
  }
  return moves;
}

/**
 * Every legal move, generated from the state machines the commands use: the
 * database's `legal_transitions` is written from this list and nothing else.
 */
export function legalTransitions(): LegalTransition[] {
  return [
    ...movesOf(payrollRuns.type, 'DRAFT', payrollRunTransitions, payrollRunEvents),
    ...movesOf(ewaRequests.type, 'REQUESTED', ewaRequestTransitions, ewaRequestEvents),
  ];
}

/**
 * Makes `legal_transitions` exactly `legalTransitions()`, in one transaction.
 * Run as the owner after migrating (the Migrator, the local stack, the test
 * and benchmark setup); idempotent. Until it has run, the database refuses
 * every write.
 */
export async function syncLegalTransitions(db: Kysely<DB>): Promise<void> {
  const moves = legalTransitions();
  await db.transaction().execute(async (trx) => {
    await sql`DELETE FROM legal_transitions`.execute(trx);
    await sql`
      INSERT INTO legal_transitions (aggregate_type, command, from_status, to_status, event_type)
      SELECT * FROM unnest(${moves.map((m) => m.aggregateType)}::text[], ${moves.map((m) => m.command)}::text[],
                           ${moves.map((m) => m.from)}::text[], ${moves.map((m) => m.to)}::text[],
                           ${moves.map((m) => m.eventType)}::text[])
    `.execute(trx);
  });
}
