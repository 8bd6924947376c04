/** Who is writing, for which tenant, and how the write is traced. */
export interface CommandContext {
  tenantId: string;
  actor: string;
  /** Follows one request from the API through the relay to every subscriber. */
  correlationId: string;
  /** The event that caused this command, when a subscriber issues it. */
  causationId?: string | null;
  /** Stored in the write's own transaction: a retried request replays the first result. */
  idempotency?: { key: string; fingerprint: string } | null;
}

/** What a committed write returns. */
export interface WriteResult<Row> {
  /** The aggregate as the write left it (on a replay: as the first request left it). */
  state: Row;
  /** The event appended, or null on an idempotent replay (nothing was written). */
  event: { id: string; type: string } | null;
  replayed: boolean;
}
