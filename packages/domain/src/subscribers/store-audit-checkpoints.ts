import { type CheckpointStore, checkpointStoreFromEnv } from '@auditflow/audit';
import { eventCatalogue, SUBSCRIBERS } from '@auditflow/events';
import { createSubscriberHandler } from '@auditflow/subscriber';
import { Logger } from '@aws-lambda-powertools/logger';
import { writeUnit } from '../domain-write-unit';

const { name, eventTypes } = SUBSCRIBERS.storeAuditCheckpoints;
const logger = new Logger({ serviceName: name });

let store: CheckpointStore | undefined;

/**
 * Keeps each audit chain checkpoint where the database's credentials cannot
 * reach it (S3 with Object Lock in AWS, files locally; see
 * checkpointStoreFromEnv). The store's write is idempotent per checkpoint,
 * and it runs inside the inbox transaction: a failed write rolls the inbox
 * row back and the delivery is retried.
 */
export const storeAuditCheckpoints = createSubscriberHandler({
  name,
  catalogue: eventCatalogue,
  writeUnit,
  eventTypes,
  logger,
  async handle(event) {
    store ??= checkpointStoreFromEnv();
    await store.put({
      tenantId: event.tenantId,
      checkpointNo: event.data.checkpointNo,
      encoding: event.data.encoding,
      fromSeq: event.data.fromSeq,
      toSeq: event.data.toSeq,
      prevHash: event.data.prevHash,
      headHash: event.data.headHash,
      entryHashes: event.data.entryHashes,
      sealedAt: event.data.sealedAt,
      eventId: event.id,
    });
    logger.info('audit checkpoint stored', {
      checkpointNo: event.data.checkpointNo,
      toSeq: event.data.toSeq,
      store: store.description,
    });
  },
});
