import type { DB } from '@auditflow/db';
import type { Kysely } from 'kysely';

/** Where a timeline starts: an entity, every entity one request touched, or one event's entity. */
export type TimelineQuery = { entityId: string } | { correlationId: string } | { eventId: string };

/** What one version of an entity left behind, and what came of its event. */
export interface TimelineVersion {
  version: number;
  command: string;
  fromStatus: string | null;
  toStatus: string;
  actor: string;
  occurredAt: string;
  correlationId: string;
  audit: { id: string; action: string; before: unknown; after: unknown };
  /** Null once the published event was pruned: its id and type stay known from the transition. */
  event: {
    id: string;
    type: string | null;
    status: 'pending' | 'published' | 'dead' | 'skipped' | 'pruned';
    attempts: number | null;
    publishedAt: string | null;
    lastError: string | null;
  };
  /** Each subscriber that processed the event, and when. */
  receipts: { subscriber: string; processedAt: string }[];
  /** The versions of other entities this event caused (by causation id). */
  caused: { aggregateType: string; aggregateId: string; version: number; command: string }[];
}

/** A journal entry one of the entity's events booked, with its postings. */
export interface TimelineLedgerEntry {
  id: string;
  /** The version whose event booked it. */
  version: number;
  eventId: string;
  eventType: string;
  description: string;
  occurredAt: string;
  postings: { account: string; side: 'debit' | 'credit'; amountMinor: number; currency: string }[];
}

export interface EntityTimeline {
  tenantId: string;
  aggregateType: string;
  aggregateId: string;
  versions: TimelineVersion[];
  /** Oldest first; empty when none of its events moved money. */
  ledger: TimelineLedgerEntry[];
}

const MAX_ENTITIES = 50;

/**
 * The whole audited story of the entities a query names, within one tenant:
 * every version with its transition and audit row, its event's delivery, the
 * subscribers' receipts, what the event caused elsewhere, and the journal
 * entries its events booked. Oldest first;
 * at most 50 entities (a correlation id can touch many). A null tenant
 * searches every tenant (the platform scope). Read only.
 */
export async function entityTimeline(
  db: Kysely<DB>,
  tenantId: string | null,
  query: TimelineQuery,
): Promise<EntityTimeline[]> {
  const entities = await db
    .selectFrom('state_transitions')
    .select(['tenant_id', 'aggregate_type', 'aggregate_id'])
    .distinct()
    .$if(tenantId !== null, (q) => q.where('tenant_id', '=', tenantId as string))
    .$call((q) =>
      'entityId' in query
        ? q.where('aggregate_id', '=', query.entityId)
        : 'correlationId' in query
          ? q.where('correlation_id', '=', query.correlationId)
          : q.where('outbox_id', '=', query.eventId),
    )
    .orderBy('aggregate_type')
    .orderBy('aggregate_id')
    .limit(MAX_ENTITIES)
    .execute();
  if (entities.length === 0) return [];

  const rows = await db
    .selectFrom('state_transitions as t')
    .innerJoin('audit_log as a', 'a.id', 't.audit_id')
    .leftJoin('outbox as o', 'o.id', 't.outbox_id')
    .select([
      't.tenant_id',
      't.aggregate_type',
      't.aggregate_id',
      't.version',
      't.command',
      't.from_status',
      't.to_status',
      't.actor',
      't.occurred_at',
      't.correlation_id',
      't.outbox_id',
      'a.id as audit_id',
      'a.action',
      'a.before',
      'a.after',
      'o.event_type',
      'o.status',
      'o.attempts',
      'o.published_at',
      'o.last_error',
    ])
    .where((eb) =>
      eb.or(
        entities.map((entity) =>
          eb.and([
            eb('t.tenant_id', '=', entity.tenant_id),
            eb('a.tenant_id', '=', entity.tenant_id),
            eb('t.aggregate_type', '=', entity.aggregate_type),
            eb('t.aggregate_id', '=', entity.aggregate_id),
          ]),
        ),
      ),
    )
    .orderBy('t.aggregate_type')
    .orderBy('t.aggregate_id')
    .orderBy('t.version')
    .execute();

  const eventIds = rows.map((row) => row.outbox_id);
  // Transitions whose audit rows are gone join nothing, and `in ()` is no SQL.
  if (eventIds.length === 0) return [];
  const [receipts, caused, postings] = await Promise.all([
    db
      .selectFrom('inbox')
      .select(['event_id', 'subscriber', 'processed_at'])
      .where('event_id', 'in', eventIds)
      .orderBy('processed_at')
      .execute(),
    db
      .selectFrom('state_transitions as t')
      .innerJoin('audit_log as a', 'a.id', 't.audit_id')
      .select(['a.causation_id', 't.aggregate_type', 't.aggregate_id', 't.version', 't.command'])
      .$if(tenantId !== null, (q) => q.where('t.tenant_id', '=', tenantId as string))
      .where('a.causation_id', 'in', eventIds)
      .orderBy('t.occurred_at')
      .execute(),
    // One entry per event at most (ledger_entries.event_id is unique).
    db
      .selectFrom('ledger_entries as e')
      .innerJoin('ledger_postings as p', 'p.entry_id', 'e.id')
      .innerJoin('ledger_accounts as acc', 'acc.id', 'p.account_id')
      .select([
        'e.id',
        'e.tenant_id',
        'e.event_id',
        'e.event_type',
        'e.description',
        'e.occurred_at',
        'p.id as posting_id',
        'acc.code',
        'p.side',
        'p.amount_minor',
        'p.currency',
      ])
      .$if(tenantId !== null, (q) => q.where('e.tenant_id', '=', tenantId as string))
      .where('e.event_id', 'in', eventIds)
      .orderBy('e.occurred_at')
      .orderBy('e.id')
      .orderBy('p.side', 'desc')
      .orderBy('p.id')
      .execute(),
  ]);
  const entries = new Map<string, Omit<TimelineLedgerEntry, 'version'>>();
  for (const posting of postings) {
    const entry = entries.get(posting.event_id) ?? {
      id: posting.id,
      eventId: posting.event_id,
      eventType: posting.event_type,
      description: posting.description,
      occurredAt: posting.occurred_at,
      postings: [],
    };
    entries.set(posting.event_id, entry);
    entry.postings.push({
      account: posting.code,
      side: posting.side as 'debit' | 'credit',
      // At most 2^53 - 1 by the table's check, so exact as a number.
      amountMinor: Number(posting.amount_minor),
      currency: posting.currency,
    });
  }

  const timelines = new Map<string, EntityTimeline>();
  for (const row of rows) {
    const key = `${row.aggregate_type}/${row.aggregate_id}`;
    const timeline = timelines.get(key) ?? {
      tenantId: row.tenant_id,
      aggregateType: row.aggregate_type,
      aggregateId: row.aggregate_id,
      versions: [],
      ledger: [],
    };
    timelines.set(key, timeline);
    const entry = entries.get(row.outbox_id);
    if (entry && entry.postings.length > 0)
      timeline.ledger.push({ ...entry, version: row.version });
    timeline.versions.push({
      version: row.version,
      command: row.command,
      fromStatus: row.from_status,
      toStatus: row.to_status,
      actor: row.actor,
      occurredAt: row.occurred_at,
      correlationId: row.correlation_id,
      audit: { id: row.audit_id, action: row.action, before: row.before, after: row.after },
      event: {
        id: row.outbox_id,
        type: row.event_type,
        status: row.status ?? 'pruned',
        attempts: row.attempts,
        publishedAt: row.published_at,
        lastError: row.last_error,
      },
      receipts: receipts
        .filter((receipt) => receipt.event_id === row.outbox_id)
        .map((receipt) => ({ subscriber: receipt.subscriber, processedAt: receipt.processed_at })),
      caused: caused
        .filter((change) => change.causation_id === row.outbox_id)
        .map((change) => ({
          aggregateType: change.aggregate_type,
          aggregateId: change.aggregate_id,
          version: change.version,
          command: change.command,
        })),
    });
  }
  return [...timelines.values()];
}
