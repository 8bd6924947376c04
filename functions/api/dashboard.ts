import { getDashboard } from '@auditflow/domain';
import { queryRoute } from '@auditflow/http';
import { z } from 'zod';

export const handler = queryRoute({
  query: z.strictObject({}),
  run: (db, { tenantId }) => getDashboard(db, tenantId),
});
