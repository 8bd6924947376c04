import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadOrCreateKey, signDevToken, startLocalStack } from '@auditflow/local';
import { reconcile } from '@auditflow/operator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aPayrollRun } from '../support/api';
import { useKillableDatabase } from '../support/killable-database';
import { waitFor } from '../support/wait';

const database = useKillableDatabase();
const ROOT = path.resolve(import.meta.dirname, '../..');
/** Generous for a slow machine: the pool gives up connecting after 3 s. */
const ANSWER_BOUND_MS = 10_000;
const CLIENTS = 4;

let dataDir: string;
let stack: Awaited<ReturnType<typeof startLocalStack>>;
beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-outage-stack-'));
  stack = await startLocalStack({
    dataDir,
    root: ROOT,
    apiPort: 0,
    databasePort: 0,
    eventBridgePort: 0,
    databaseUrl: database.url(),
  });
});
afterAll(async () => {
  await stack.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  phase: 'before' | 'down' | 'after';
  status: number | 'refused';
  contentType: string | null;
  retryAfter: string | null;
  code?: string;
  ms: number;
}

describe('a database outage under load, through the local gateway', () => {
  it('answers only 503 problems while Postgres is killed, recovers by itself, and loses nothing it acknowledged', async () => {
    const token = await signDevToken(await loadOrCreateKey(dataDir), {
      tenant: 'under-load',
      sub: 'alice',
    });
    let phase: Answer['phase'] = 'before';
    const answers: Answer[] = [];
    const created = new Set<string>();
    const submitted = new Set<string>();
    let stopping = false;

    /** One POST; the phase is the one it started in, so a request cut by the kill counts as 'down'. */
    async function post(pathname: string, key: string, body?: unknown) {
      const started = performance.now();
      const startedIn = phase;
      try {
        const response = await fetch(`${stack.apiUrl}${pathname}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        const json = (await response.json()) as { id?: string; code?: string };
        answers.push({
          phase: startedIn === 'before' && phase !== 'before' ? 'down' : startedIn,
          status: response.status,
          contentType: response.headers.get('content-type'),
          retryAfter: response.headers.get('retry-after'),
          code: json.code,
          ms: performance.now() - started,
        });
        return { status: response.status, id: json.id };
      } catch {
        answers.push({ phase, status: 'refused', contentType: null, retryAfter: null, ms: 0 });
        return { status: 0 };
      }
    }
    /** A client as the README asks: a 503 is sent again, with the same Idempotency-Key. */
    async function until2xx(pathname: string, body?: unknown) {
      const key = randomUUID();
      while (true) {
        const answer = await post(pathname, key, body);
        if (answer.status >= 200 && answer.status < 300) return answer;
        await sleep(200);
      }
    }
    const client = async () => {
      while (!stopping) {
        const run = await until2xx('/payroll-runs', aPayrollRun);
        if (!run.id) throw new Error('no id');
        created.add(run.id);
        await until2xx(`/payroll-runs/${run.id}/submit`);
        submitted.add(run.id);
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);

    await waitFor('writes before the outage', () => submitted.size >= 10);
    phase = 'down';
    await database.kill();
    await waitFor('503s during the outage', () =>
      answers.some((answer) => answer.phase === 'down' && answer.status === 503),
    );
    await sleep(2_000);
    await database.restart();
    phase = 'after';
    const acknowledgedAtRestart = submitted.size;
    await waitFor('writes to succeed again', () => submitted.size >= acknowledgedAtRestart + 10, {
      timeoutMs: 60_000,
    });
    stopping = true;
    await Promise.all(clients);

    const during = answers.filter((answer) => answer.phase === 'down');
    const failures = during.filter(
      (answer) => answer.status !== 503 && answer.status !== 201 && answer.status !== 200,
    );
    expect(failures).toEqual([]);
    for (const answer of during.filter((a) => a.status === 503)) {
      expect(answer.contentType).toBe('application/problem+json');
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      expect(['database_unavailable', 'commit_outcome_unknown']).toContain(answer.code);
    }
    expect(
      answers.filter((answer) => answer.status === 'refused' || answer.status === 500),
    ).toEqual([]);
    expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(ANSWER_BOUND_MS);
    expect(answers.some((answer) => answer.phase === 'after' && answer.status === 201)).toBe(true);

    // Every acknowledged write is there, with its audit row, transition and event.
    const { rows } = await database.sql(
      `SELECT r.id, r.status, r.version,
              (SELECT count(*)::int FROM audit_log a WHERE a.entity_id = r.id) AS audits,
              (SELECT count(*)::int FROM state_transitions t WHERE t.aggregate_id = r.id) AS transitions,
              (SELECT count(*)::int FROM outbox o WHERE o.aggregate_id = r.id) AS events
         FROM payroll_runs r WHERE r.tenant_id = 'under-load'`,
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of submitted) {
      expect(byId.get(id)).toMatchObject({
        status: 'SUBMITTED',
        version: 2,
        audits: 2,
        transitions: 2,
        events: 2,
      });
    }
    for (const id of created) expect(byId.has(id)).toBe(true);
    expect((await reconcile(database.db())).mismatches).toEqual([]);

    // Every event reaches EventBridge, and the relay listens for commits again.
    const { rows: events } = await database.sql(
      "SELECT id FROM outbox WHERE tenant_id = 'under-load'",
    );
    await waitFor(
      'every event to be published',
      async () => {
        const { rows: pending } = await database.sql(
          "SELECT count(*)::int AS n FROM outbox WHERE status <> 'published'",
        );
        return pending[0]?.n === 0;
      },
      { timeoutMs: 90_000 },
    );
    const accepted = new Set(
      stack.eventBridge.accepted.map((event) => (event.detail as { id: string }).id),
    );
    expect(events.filter((event) => !accepted.has(event.id))).toEqual([]);
    await waitFor('the relay to LISTEN again', async () => {
      const { rows: listening } = await database.sql(
        `SELECT 1 FROM pg_stat_activity
          WHERE application_name = 'auditflow-relay-listen' AND query = 'LISTEN outbox_pending'`,
      );
      return listening.length === 1;
    });
  }, 240_000);
});
