/*
 * Raw SQL that writes one payroll run version with its history, the way an
 * attacker holding the API's credentials (or a careless script) would,
 * bypassing the write unit. Every builder records a truthful change unless a
 * `lie` replaces one of its parts, so an attack differs from an accepted
 * write by exactly that lie. Statements are marked for the one-rule check.
 */

export interface RawChange {
  id: string;
  tenant: string;
  command: string;
  /** The status the row moves to (or is created at). */
  to: string;
  eventType: string;
  /** Replace the audit row's `after` / `before` expressions (SQL over row `r`). */
  after?: string;
  before?: string;
  /** The transition's from_status, as SQL; by default the previous version's status. */
  from?: string;
  /** The transition's audit_id / outbox_id, as SQL; by default this version's rows. */
  auditId?: string;
  outboxId?: string;
}

const history = (change: RawChange, isCreation: boolean) => {
  const { id, command, eventType } = change;
  const previousAfter = `(SELECT p.after FROM audit_log p WHERE p.entity_type = 'payroll_run'
      AND p.entity_id = r.id AND p.entity_version = r.version - 1)`;
  const before = change.before ?? (isCreation ? 'NULL' : previousAfter);
  const after = change.after ?? 'to_jsonb(r)';
  const from = change.from ?? (isCreation ? 'NULL' : `(${previousAfter} ->> 'status')`);
  return [
    `INSERT INTO audit_log (id, tenant_id, actor, action, entity_type, entity_id, entity_version, before, after, correlation_id)
     SELECT gen_random_uuid(), r.tenant_id, 'mallory', 'Raw', 'payroll_run', r.id, r.version, ${before}, ${after}, 'c'
       FROM payroll_runs r WHERE r.id = '${id}'`,
    `INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, correlation_id, actor)
     SELECT gen_random_uuid(), r.tenant_id, 'payroll_run', r.id, r.version, '${eventType}', '{}', 'c', 'mallory'
       FROM payroll_runs r WHERE r.id = '${id}'`,
    `INSERT INTO state_transitions (id, tenant_id, aggregate_type, aggregate_id, version, command, from_status, to_status, actor, correlation_id, audit_id, outbox_id)
     SELECT gen_random_uuid(), r.tenant_id, 'payroll_run', r.id, r.version, '${command}', ${from}, r.status, 'mallory', 'c',
            ${change.auditId ?? 'a.id'}, ${change.outboxId ?? 'o.id'}
       FROM payroll_runs r
       JOIN audit_log a ON a.entity_type = 'payroll_run' AND a.entity_id = r.id AND a.entity_version = r.version
       JOIN outbox o ON o.aggregate_type = 'payroll_run' AND o.aggregate_id = r.id AND o.aggregate_version = r.version
      WHERE r.id = '${id}'`,
  ];
};

/** A new run at `to` (truthfully: DRAFT by `create`) with its history. */
export function rawCreation(change: RawChange): string[] {
  return [
    // one-rule-allow: an attack on the database's checks, bypassing the write unit on purpose
    `INSERT INTO payroll_runs (id, tenant_id, status, version, period_start, period_end, pay_date, currency,
       gross_total_minor, employee_count, created_by)
     VALUES ('${change.id}', '${change.tenant}', '${change.to}', 1, '2026-11-01', '2026-11-30', '2026-12-01',
       'EUR', 100, 1, 'mallory')`,
    ...history(change, true),
  ];
}

/** The next version of an existing run, at `to`, with its history. */
export function rawTransition(change: RawChange): string[] {
  return [
    // one-rule-allow: an attack on the database's checks, bypassing the write unit on purpose
    `UPDATE payroll_runs SET status = '${change.to}', version = version + 1, updated_at = now()
      WHERE id = '${change.id}'`,
    ...history(change, false),
  ];
}
