import type { ColumnType } from 'kysely';

/** The dashboard's read model: the latest state of each aggregate, as events tell it. */
export interface DashboardAggregatesTable {
  tenant_id: string;
  aggregate_type: string;
  aggregate_id: string;
  version: number;
  status: string;
  currency: string | null;
  amount_minor: ColumnType<number | null, number | null, number | null>;
}
