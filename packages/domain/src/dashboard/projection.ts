import type { DB } from '@auditflow/db';
import type { SUBSCRIBERS } from '@auditflow/events';
import { type Kysely, sql } from 'kysely';

type DashboardEventType = (typeof SUBSCRIBERS.dashboardProjection.eventTypes)[number];

/**
 * The status an event leaves its aggregate in, and the money it states, if
 * any: one entry per event type the dashboard subscribes to, no more, no less.
 */
const EFFECTS: Record<DashboardEventType, { status: string; amountField?: string }> = {
  'payroll.run_created.v1': { status: 'DRAFT', amountField: 'grossTotalMinor' },
  'payroll.run_submitted.v1': { status: 'SUBMITTED' },
  'payroll.run_approved.v1': { status: 'APPROVED', amountField: 'grossTotalMinor' },
  'payroll.run_rejected.v1': { status: 'DRAFT' },
  'payroll.run_paid.v1': { status: 'PAID', amountField: 'grossTotalMinor' },
  'payroll.run_cancelled.v1': { status: 'CANCELLED' },
  'ewa.request_created.v1': { status: 'REQUESTED', amountField: 'amountMinor' },
  'ewa.request_approved.v1': { status: 'APPROVED', amountField: 'amountMinor' },
  'ewa.request_declined.v1': { status: 'DECLINED' },
  'ewa.request_disbursed.v1': { status: 'DISBURSED', amountField: 'amountMinor' },
  'ewa.request_settled.v1': { status: 'SETTLED', amountField: 'amountMinor' },
};

/**
 * Folds one event into the dashboard's read model. Safe in any order and any
 * number of times: the status only moves to a higher aggregate version, and
 * the amount, fixed at creation, is kept once known.
 */
export async function applyToDashboard(
  db: Kysely<DB>,
  event: {
    type: string;
    tenantId: string;
    aggregate: { type: string; id: string; version: number };
    data: Record<string, unknown>;
  },
): Promise<void> {
  const effect = Object.hasOwn(EFFECTS, event.type)
    ? EFFECTS[event.type as DashboardEventType]
    : undefined;
  if (!effect) return;
  const amount = effect.amountField ? event.data[effect.amountField] : undefined;
  const currency = typeof event.data.currency === 'string' ? event.data.currency : null;
  await sql`
    INSERT INTO dashboard_aggregates
      (tenant_id, aggregate_type, aggregate_id, version, status, currency, amount_minor)
    VALUES (${event.tenantId}, ${event.aggregate.type}, ${event.aggregate.id}, ${event.aggregate.version},
            ${effect.status}, ${currency}, ${typeof amount === 'number' ? amount : null})
    ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET
      version = greatest(dashboard_aggregates.version, excluded.version),
      status = CASE WHEN excluded.version > dashboard_aggregates.version
                    THEN excluded.status ELSE dashboard_aggregates.status END,
      currency = coalesce(dashboard_aggregates.currency, excluded.currency),
      amount_minor = coalesce(dashboard_aggregates.amount_minor, excluded.amount_minor)
  `.execute(db);
}
