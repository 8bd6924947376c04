import { accountCode, listAccountEntries, listAccountEntriesQuery } from '@auditflow/domain';
import { resourceQueryRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

/** The entries posting to one account, newest first, each with all its postings. */
export const handler = resourceQueryRoute({
  scopes: [SCOPES.ledgerRead],
  param: { name: 'code', schema: accountCode },
  query: listAccountEntriesQuery,
  run: (db, { tenantId }, code, query) => listAccountEntries(db, tenantId, code, query),
});
