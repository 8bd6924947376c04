import { storeAuditCheckpoints } from '@auditflow/domain/subscribers';

/** EventBridge target for `audit.checkpoint.v1`: keeps each chain checkpoint outside the database. */
export const handler = storeAuditCheckpoints;
