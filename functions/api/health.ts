import { databaseHealth, getDb } from '@auditflow/db';
import { apiHandler, json } from '@auditflow/http';

/**
 * Answers without a token, and 200 whenever the process runs: it is a
 * liveness check, and restarting the API would not bring a lost database
 * back. The body says whether the database answers, so a probe or an
 * operator sees an outage (`"database": "down"`, status `degraded`).
 */
export const handler = apiHandler(async () => {
  const database = await databaseHealth(getDb());
  return json(200, { status: database === 'up' ? 'ok' : 'degraded', database });
});
