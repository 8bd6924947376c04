export { type ConnectionTarget, describeTarget, resolveConnectionTarget } from './connection';
export { type AggregateColumns, type DB, DOMAIN_TABLES, type DomainTable } from './database';
export {
  databaseUrl,
  type EmbeddedDatabase,
  type EmbeddedOptions,
  startEmbeddedPostgres,
} from './embedded';
export { migrateToLatest } from './migrate';
export { closeDb, createDb, getDb, type PoolOptions } from './pool';
export type { AuditLogTable, AuditRow, NewAudit } from './tables/audit-log';
export type { CalendarDate, Json, Timestamp } from './tables/columns';
export type { EwaRequestRow, EwaRequestStatus, EwaRequestsTable, NewEwaRequest } from './tables/ewa-requests';
export type { IdempotencyKeyRow, IdempotencyKeysTable, NewIdempotencyKey } from './tables/idempotency-keys';
export type { NewOutboxEvent, OutboxRow, OutboxStatus, OutboxTable } from './tables/outbox';
export type { NewPayrollRun, PayrollRunRow, PayrollRunStatus, PayrollRunsTable } from './tables/payroll-runs';
export type {
  NewStateTransition,
  StateTransitionRow,
  StateTransitionsTable,
} from './tables/state-transitions';
