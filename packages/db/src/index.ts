export {
  atAddress,
  type ConnectionTarget,
  clientConfig,
  describeTarget,
  resolveConnectionTarget,
} from './connection';
export { type AggregateColumns, type DB, DOMAIN_TABLES, type DomainTable } from './database';
export { describeEnvError, parseJsonVariable } from './env-schema';
export { databaseHealth } from './health';
export {
  configureInboxRetention,
  DEFAULT_INBOX_RETENTION_DAYS,
  inboxRetentionDays,
  inboxRetentionDaysFromEnv,
} from './inbox-retention';
export { migrateToLatest } from './migrate';
export {
  closeDb,
  createDb,
  DEFAULT_CONNECT_TIMEOUT_MS,
  getDb,
  getPlatformDb,
  type PoolOptions,
} from './pool';
export { queryOnce } from './query-once';
export {
  configureLoginRoles,
  LOGIN_ROLES,
  type LoginRole,
  type LoginRolePasswords,
  loginRolePasswordsFromEnv,
  roleUrl,
  secureDatabase,
} from './roles';
export type { AuditLogTable, AuditRow, NewAudit } from './tables/audit-log';
export type { CalendarDate, Json, Timestamp } from './tables/columns';
export {
  EWA_REQUEST_STATUSES,
  type EwaRequestRow,
  type EwaRequestStatus,
  type EwaRequestsTable,
  type NewEwaRequest,
} from './tables/ewa-requests';
export type {
  IdempotencyKeyRow,
  IdempotencyKeysTable,
  NewIdempotencyKey,
} from './tables/idempotency-keys';
export {
  LEDGER_ACCOUNT_TYPES,
  type LedgerAccountRow,
  type LedgerAccountsTable,
  type LedgerAccountType,
  type LedgerEntriesTable,
  type LedgerEntryRow,
  type LedgerLimitRow,
  type LedgerLimitsTable,
  type LedgerMoneyEventsTable,
  type LedgerPostingRow,
  type LedgerPostingsTable,
  type NewLedgerAccount,
  type NewLedgerEntry,
  type NewLedgerPosting,
  type PostingSide,
} from './tables/ledger';
export type { OperatorActionRow, OperatorActionsTable } from './tables/operator-actions';
export type {
  NewOutboxEvent,
  OutboxRetentionTable,
  OutboxRow,
  OutboxStatus,
  OutboxTable,
} from './tables/outbox';
export {
  type NewPayrollRun,
  PAYROLL_RUN_STATUSES,
  type PayrollRunRow,
  type PayrollRunStatus,
  type PayrollRunsTable,
} from './tables/payroll-runs';
export type {
  NewStateTransition,
  StateTransitionRow,
  StateTransitionsTable,
} from './tables/state-transitions';
export { readAsTenant, setTransactionTenant, TENANT_SETTING } from './tenant-scope';
export { isDatabaseUnavailable } from './unavailable';
export { databaseUrl } from './url';
