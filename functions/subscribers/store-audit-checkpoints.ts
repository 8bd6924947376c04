// Its own module, not the barrel: a function bundles only what its subscriber uses.
import { storeAuditCheckpoints } from '@auditflow/domain/subscribers/store-audit-checkpoints';

/** EventBridge target for `audit.checkpoint.v1`: keeps each chain checkpoint outside the database. */
export const handler = storeAuditCheckpoints;
