import type { BenchDatabase } from './database';

/**
 * Creates `requests` EWA requests of one employee, of 1 minor unit each,
 * REQUESTED (or, with `approved`, also APPROVED as their version 2), every
 * version with the true history the database demands at commit: the audit
 * row's before and after are the row's versions, and the event and
 * transition are of the same transaction. Set-based, one statement per
 * version. Returns the ids, in id order.
 */
export async function seedEwaRequests(
  database: BenchDatabase,
  options: { tenantId: string; employeeId: string; requests: number; approved: boolean },
): Promise<string[]> {
  // one-rule-allow: bulk seeding for benchmarks, with the full history the database demands
  const { rows } = await database.sql<{ id: string }>(
    `WITH requests AS (
       INSERT INTO ewa_requests (id, tenant_id, status, version, employee_id, amount_minor, currency,
                                 period_start, period_end, created_by)
       SELECT gen_random_uuid(), $1, 'REQUESTED', 1, $2, 1, 'EUR', '2026-11-01', '2026-11-30', 'bench-seed'
         FROM generate_series(1, ${options.requests})
       RETURNING *
     ), audits AS (
       INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version,
                              after, correlation_id)
       SELECT gen_random_uuid(), $1, 'bench-seed', 'EwaRequestCreated', 'ewa_request', id, 1,
              to_jsonb(requests), 'bench-seed-' || id
         FROM requests
       RETURNING id, entity_id
     ), events AS (
       INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                           payload, correlation_id, actor)
       SELECT gen_random_uuid(), $1, 'ewa_request', id, 1, 'ewa.request_created.v1', '{}',
              'bench-seed-' || id, 'bench-seed'
         FROM requests
       RETURNING id, aggregate_id
     ), transitions AS (
       INSERT INTO state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command,
                                      to_status, actor, correlation_id, audit_id, outbox_id)
       SELECT gen_random_uuid(), $1, 'ewa_request', a.entity_id, 1, 'create', 'REQUESTED', 'bench-seed',
              'bench-seed-' || a.entity_id, a.id, e.id
         FROM audits a JOIN events e ON e.aggregate_id = a.entity_id
     )
     SELECT id FROM requests ORDER BY id`,
    [options.tenantId, options.employeeId],
  );
  const ids = rows.map((row) => row.id);
  if (!options.approved) return ids;
  // one-rule-allow: bulk seeding for benchmarks, with the full history the database demands
  await database.sql(
    `WITH previous AS (
       SELECT a.entity_id AS id, a.after FROM audit_log a
        WHERE a.entity_type = 'ewa_request' AND a.entity_id = ANY($2::uuid[]) AND a.entity_version = 1
     ), approved AS (
       UPDATE ewa_requests r SET status = 'APPROVED', version = 2, approved_by = 'bench-approver',
                                 updated_at = now()
         FROM previous p WHERE r.id = p.id
       RETURNING r.*
     ), audits AS (
       INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version,
                              before, after, correlation_id)
       SELECT gen_random_uuid(), $1, 'bench-approver', 'EwaRequestApproved', 'ewa_request', r.id, 2,
              p.after, to_jsonb(r), 'bench-approve-' || r.id
         FROM approved r JOIN previous p ON p.id = r.id
       RETURNING id, entity_id
     ), events AS (
       INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                           payload, correlation_id, actor)
       SELECT gen_random_uuid(), $1, 'ewa_request', id, 2, 'ewa.request_approved.v1', '{}',
              'bench-approve-' || id, 'bench-approver'
         FROM approved
       RETURNING id, aggregate_id
     )
     INSERT INTO state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command,
                                    from_status, to_status, actor, correlation_id, audit_id, outbox_id)
     SELECT gen_random_uuid(), $1, 'ewa_request', a.entity_id, 2, 'approve', 'REQUESTED', 'APPROVED',
            'bench-approver', 'bench-approve-' || a.entity_id, a.id, e.id
       FROM audits a JOIN events e ON e.aggregate_id = a.entity_id`,
    [options.tenantId, ids],
  );
  return ids;
}
