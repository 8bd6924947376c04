import { listLedgerAccounts, listLedgerAccountsQuery } from '@auditflow/domain';
import { queryRoute } from '@auditflow/http';
import { SCOPES } from '../scopes';

/** The tenant's accounts with their balances, newest first (`?currency=&limit=&cursor=`). */
export const handler = queryRoute({
  scopes: [SCOPES.ledgerRead],
  query: listLedgerAccountsQuery,
  run: (db, { tenantId }, query) => listLedgerAccounts(db, tenantId, query),
});
