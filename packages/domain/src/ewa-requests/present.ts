import type { EwaRequestRow } from '@auditflow/db';

/** The public representation of an EWA request: camelCase, no tenant id. */
export function presentEwaRequest(request: EwaRequestRow) {
  return {
    id: request.id,
    status: request.status,
    version: request.version,
    employeeId: request.employee_id,
    amountMinor: request.amount_minor,
    currency: request.currency,
    periodStart: request.period_start,
    periodEnd: request.period_end,
    createdBy: request.created_by,
    approvedBy: request.approved_by,
    disbursedBy: request.disbursed_by,
    declineReason: request.decline_reason,
    settledByRunId: request.settled_by_run_id,
    createdAt: request.created_at,
    updatedAt: request.updated_at,
  };
}

export type EwaRequestResource = ReturnType<typeof presentEwaRequest>;
