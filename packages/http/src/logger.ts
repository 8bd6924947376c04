import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs for the API. Every line of a request carries its
 * correlation id, which the write unit also stores with the audit row and the
 * outbox event, so one id follows a request to every subscriber.
 * `POWERTOOLS_LOG_LEVEL` sets the level (SILENT in tests).
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'auditflow-api',
});
