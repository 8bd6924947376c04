import type { AuditLogTable } from './tables/audit-log';
import type { DashboardAggregatesTable } from './tables/dashboard-aggregates';
import type { EwaRequestsTable } from './tables/ewa-requests';
import type { IdempotencyKeysTable } from './tables/idempotency-keys';

import type { InboxRetentionTable, InboxTable } from './tables/inbox';
import type {
  LedgerAccountsTable,
  LedgerEntriesTable,
  LedgerLimitsTable,
  LedgerMoneyEventsTable,
  LedgerPostingsTable,
} from './tables/ledger';
import type { OperatorActionsTable } from './tables/operator-actions';
import type { OutboxRetentionTable, OutboxTable } from './tables/outbox';
import type { PayrollRunsTable } from './tables/payroll-runs';
import type { StateTransitionsTable } from './tables/state-transitions';
import type { SubscriberDeadLettersTable } from './tables/subscriber-dead-letters';

/** The schema as Kysely sees it. Migrations never import this: they are frozen in time. */
export interface DB {
  payroll_runs: PayrollRunsTable;
  ewa_requests: EwaRequestsTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  outbox_retention: OutboxRetentionTable;
  state_transitions: StateTransitionsTable;
  idempotency_keys: IdempotencyKeysTable;
  inbox: InboxTable;
  inbox_retention: InboxRetentionTable;
  subscriber_dead_letters: SubscriberDeadLettersTable;
  dashboard_aggregates: DashboardAggregatesTable;
  operator_actions: OperatorActionsTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_entries: LedgerEntriesTable;
  ledger_postings: LedgerPostingsTable;
  ledger_limits: LedgerLimitsTable;
  ledger_money_events: LedgerMoneyEventsTable;
}

/**
 * Tables that hold business state. Only the write unit may write them, and the
 * database refuses a change to them that lacks its audit row and event.
 */
export const DOMAIN_TABLES = ['payroll_runs', 'ewa_requests'] as const;
export type DomainTable = (typeof DOMAIN_TABLES)[number];

/** Every domain row has these columns; the write unit relies on nothing else. */
export interface AggregateColumns {
  id: string;
  tenant_id: string;
  status: string;
  version: number;
}
