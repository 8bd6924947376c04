import { apiHandler, json } from '@auditflow/http';

/** Liveness only: answers without a token and without touching the database. */
export const handler = apiHandler(async () => json(200, { status: 'ok' }));
