/**
 * Names one aggregate's stream of events: the unit within which the relay keeps
 * version order.
 */
export function aggregateKey(row: { aggregate_type: string; aggregate_id: string }): string {
  return `${row.aggregate_type}/${row.aggregate_id}`;
}
