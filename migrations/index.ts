import type { Migration } from 'kysely/migration';
import * as coreTables from './0001-core-tables';
import * as enforceAuditedChanges from './0002-enforce-audited-changes';
import * as outboxRelay from './0003-outbox-relay';
import * as subscribers from './0004-subscribers';
import * as outboxStorage from './0005-outbox-storage';
import * as leastPrivilegeRoles from './0006-least-privilege-roles';
import * as truthfulHistory from './0007-truthful-history';
import * as rowLevelSecurity from './0008-row-level-security';
import * as dashboardKeyedByTenant from './0009-dashboard-keyed-by-tenant';
import * as operatorActions from './0010-operator-actions';
import * as ledger from './0012-ledger';
import * as operatorGuardRails from './0013-operator-guard-rails';
import * as skipDeadEvents from './0014-skip-dead-events';
import * as auditChain from './0015-audit-chain';
import * as commitCheckPlans from './0016-commit-check-plans';
import * as recordedRequeues from './0017-recorded-requeues';
import * as tenantReadsItsChain from './0018-tenant-reads-its-chain';

/**
 * Every migration, by name, in the order they run. A static list rather than a
 * folder read at run time, so a bundled Lambda carries its migrations with it.
 */
export const migrations: Record<string, Migration> = {
  '0001-core-tables': coreTables,
  '0002-enforce-audited-changes': enforceAuditedChanges,
  '0003-outbox-relay': outboxRelay,
  '0004-subscribers': subscribers,
  '0005-outbox-storage': outboxStorage,
  '0006-least-privilege-roles': leastPrivilegeRoles,
  '0007-truthful-history': truthfulHistory,
  '0008-row-level-security': rowLevelSecurity,
  '0009-dashboard-keyed-by-tenant': dashboardKeyedByTenant,
  '0010-operator-actions': operatorActions,
  '0012-ledger': ledger,
  '0013-operator-guard-rails': operatorGuardRails,
  '0014-skip-dead-events': skipDeadEvents,
  '0015-audit-chain': auditChain,
  '0016-commit-check-plans': commitCheckPlans,
  '0017-recorded-requeues': recordedRequeues,
  '0018-tenant-reads-its-chain': tenantReadsItsChain,
};
