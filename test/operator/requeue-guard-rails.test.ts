import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { outboxStatus, RequeueRefused, replayEvents, retryDeadEvents } from '@auditflow/operator';
import { describe, expect, it } from 'vitest';
import { runRequeue } from '../../packages/local/src/cli/requeue-command';
import { attempt } from '../support/attempt';
import { useTestDatabase } from '../support/database';
import { requeuedBy } from '../support/requeue';
import { seedPayrollRuns } from '../support/seed';

const database = useTestDatabase();
const ROOT = path.resolve(import.meta.dirname, '../..');
const DAY_MS = 86_400_000;

let counter = 0;
const newTenant = () => `guard-${++counter}`;

/** Runs `npm run outbox -- <args>` as an operator would: no terminal, so nothing can be confirmed by asking. */
function outboxCli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    ['packages/local/src/bin/outbox.ts', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: database.roleUrl('operator'), ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Seeds a tenant's events as the relay would have left them: published (or
 * dead), `ageDays` ago. As the owner with the triggers off, since no login
 * role may set delivery state and occurrence time like this.
 */
async function seedDelivered(
  tenantId: string,
  runs: number,
  options: { ageDays?: number; status?: 'published' | 'dead' } = {},
) {
  await seedPayrollRuns(database, { tenantId, runs });
  await database.sql(
    `BEGIN;
     SET LOCAL session_replication_role = replica;
     UPDATE outbox SET status = '${options.status ?? 'published'}',
            published_at = CASE WHEN '${options.status ?? 'published'}' = 'published' THEN now() END,
            occurred_at = now() - make_interval(secs => ${(options.ageDays ?? 0) * 86_400})
      WHERE tenant_id = '${tenantId}';
     COMMIT;`,
  );
}

const statuses = async (tenantId: string) =>
  (
    await database.sql(
      'SELECT status, count(*)::int AS n FROM outbox WHERE tenant_id = $1 GROUP BY status ORDER BY status',
      [tenantId],
    )
  ).rows;

const window = (fromDaysAgo: number) => ({
  from: new Date(Date.now() - fromDaysAgo * DAY_MS).toISOString(),
  to: new Date(Date.now() + 60_000).toISOString(),
});

describe('replay and retry guard rails', () => {
  it('refuses a replay window older than the inbox retention and sends nothing', async () => {
    const tenantId = newTenant();
    // 30 days of receipts, less the day's margin: 29.5 days ago is too old.
    await seedDelivered(tenantId, 2, { ageDays: 29.5 });
    const cli = outboxCli([
      'replay',
      '--from',
      window(31).from,
      '--to',
      window(0).to,
      '--tenant',
      tenantId,
      '--reason',
      'resend the window',
    ]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(
      /2 event\(s\) of this window occurred before .*inbox retention \(30 days\)/,
    );
    expect(cli.stderr).toMatch(/start the window at .* or later/);
    await expect(
      replayEvents(database.operatorDb(), {
        ...window(31),
        tenantId,
        dryRun: true,
        by: requeuedBy,
      }),
    ).rejects.toMatchObject({ reason: 'beyond_retention' });
    expect(await statuses(tenantId)).toEqual([{ status: 'published', n: 2 }]);
  });

  it('replays events within the retention less a day, from the epoch on', async () => {
    const tenantId = newTenant();
    await seedDelivered(tenantId, 3, { ageDays: 28.5 });
    const cli = outboxCli([
      'replay',
      '--from',
      '1970-01-01T00:00:00Z',
      '--to',
      window(0).to,
      '--tenant',
      tenantId,
      '--reason',
      'resend the window',
    ]);
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toMatch(/^3 event\(s\) queued to publish again/m);
    expect(await statuses(tenantId)).toEqual([{ status: 'pending', n: 3 }]);
  });

  it('takes the replay horizon from the retention the database holds', async () => {
    const tenantId = newTenant();
    await seedDelivered(tenantId, 1, { ageDays: 3 });
    await database.sql("UPDATE inbox_retention SET keep_for = '3 days'");
    try {
      await expect(
        replayEvents(database.operatorDb(), { ...window(4), tenantId, by: requeuedBy }),
      ).rejects.toBeInstanceOf(RequeueRefused);
    } finally {
      await database.sql("UPDATE inbox_retention SET keep_for = '30 days'");
    }
    expect(
      await replayEvents(database.operatorDb(), { ...window(4), tenantId, by: requeuedBy }),
    ).toHaveLength(1);
  });

  it('lists what a dry run would send, of one tenant, and changes nothing', async () => {
    const tenantId = newTenant();
    const other = newTenant();
    await seedDelivered(tenantId, 2);
    await seedDelivered(other, 2);
    const cli = outboxCli([
      'replay',
      '--from',
      window(1).from,
      '--to',
      window(0).to,
      '--tenant',
      tenantId,
      '--dry-run',
      '--json',
    ]);
    expect(cli.code).toBe(0);
    const answer = JSON.parse(cli.stdout) as { dryRun: boolean; events: { tenantId: string }[] };
    expect(answer.dryRun).toBe(true);
    expect(answer.events.map((event) => event.tenantId)).toEqual([tenantId, tenantId]);
    expect(await statuses(tenantId)).toEqual([{ status: 'published', n: 2 }]);

    const text = outboxCli(['retry', '--all-dead', '--tenant', tenantId, '--dry-run']);
    expect(text.stdout).toMatch(
      /^0 dead event\(s\) would be queued for another attempt \(dry run/m,
    );
  });

  it('refuses, with exit code 2 and nothing changed, more events than the cap without a terminal or --yes', async () => {
    const tenantId = newTenant();
    await seedDelivered(tenantId, 3, { status: 'dead' });
    const capped = { OUTBOX_CONFIRM_ABOVE: '2' };
    const refused = outboxCli(
      ['retry', '--all-dead', '--tenant', tenantId, '--reason', 'bus fixed'],
      capped,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('would queue 3 dead event(s), more than 2');
    expect(refused.stderr).toContain('--yes');
    expect(await statuses(tenantId)).toEqual([{ status: 'dead', n: 3 }]);

    const replay = outboxCli(
      [
        'replay',
        '--from',
        window(1).from,
        '--to',
        window(0).to,
        '--tenant',
        tenantId,
        '--reason',
        'resend',
      ],
      capped,
    );
    expect(replay.code).toBe(2);
    expect(await statuses(tenantId)).toEqual([{ status: 'dead', n: 3 }]);

    const confirmed = outboxCli(
      ['retry', '--all-dead', '--tenant', tenantId, '--yes', '--reason', 'bus fixed'],
      capped,
    );
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toMatch(/^3 dead event\(s\) queued for another attempt/m);
    expect(await statuses(tenantId)).toEqual([{ status: 'pending', n: 3 }]);
  });

  it('changes nothing when more events match than the caller allowed', async () => {
    const tenantId = newTenant();
    await seedDelivered(tenantId, 3, { status: 'dead' });
    await expect(
      retryDeadEvents(database.operatorDb(), { tenantId, maxRows: 2, by: requeuedBy }),
    ).rejects.toMatchObject({ reason: 'over_limit' });
    await expect(
      replayEvents(database.operatorDb(), { ...window(1), tenantId, maxRows: 2, by: requeuedBy }),
    ).rejects.toMatchObject({ reason: 'over_limit' });
    expect(await statuses(tenantId)).toEqual([{ status: 'dead', n: 3 }]);
    expect(
      await retryDeadEvents(database.operatorDb(), { tenantId, maxRows: 3, by: requeuedBy }),
    ).toHaveLength(3);
  });

  it('refuses a malformed tenant, and gives the operator no way around the guard rails', async () => {
    expect(outboxCli(['retry', '--all-dead', '--tenant', "x' OR 1=1 --"]).code).toBe(2);
    expect(outboxCli(['retry', '--all-dead', 'a1b2c3d4-0000-4000-8000-000000000000']).code).toBe(2);
    // The first versions (migration 0006) know neither horizon nor cap.
    const operator = database.roleUrl('operator');
    expect(await attempt(operator, ['SELECT retry_dead_events(NULL::uuid[])'])).toBe('42501');
    expect(
      await attempt(operator, ["SELECT replay_events('-infinity', 'infinity', NULL::text)"]),
    ).toBe('42501');
    expect(await attempt(operator, ["UPDATE inbox_retention SET keep_for = '2 days'"])).toBe(
      '42501',
    );
  });
});

/** The operator actions recorded for a tenant's events, oldest first. */
const actions = async (tenantId: string) =>
  (
    await database.sql(
      `SELECT tenant_id AS "tenantId", actor, login_role AS "loginRole", action,
              target_event_id AS "eventId", reason, correlation_id AS "correlationId"
         FROM operator_actions WHERE tenant_id = $1 ORDER BY target_event_id`,
      [tenantId],
    )
  ).rows;

describe('recording every requeue', () => {
  it('records one operator action per event a bulk retry queues: who, why, the correlation id', async () => {
    const tenantId = newTenant();
    await seedDelivered(tenantId, 3, { status: 'dead' });
    const queued = await retryDeadEvents(database.operatorDb(), { tenantId, by: requeuedBy });
    expect(queued).toHaveLength(3);
    expect(await actions(tenantId)).toEqual(
      queued
        .map((event) => event.id)
        .sort()
        .map((eventId) => ({
          tenantId,
          actor: 'operator:test',
          // What the database saw, whatever name the caller gave.
          loginRole: 'auditflow_operator',
          action: 'retry_dead_event',
          eventId,
          reason: 'the bus rule is fixed',
          correlationId: 'requeue-test',
        })),
    );
  });

  it('records one replay_event action per event a replay queues, published or dead', async () => {
    const tenantId = newTenant();
    await seedDelivered(tenantId, 3);
    // One of the three the bus refused for good.
    await database.sql(
      `BEGIN; SET LOCAL session_replication_role = replica;
       UPDATE outbox SET status = 'dead', published_at = NULL
        WHERE id = (SELECT id FROM outbox WHERE tenant_id = '${tenantId}' ORDER BY id LIMIT 1);
       COMMIT;`,
    );
    expect(await statuses(tenantId)).toEqual([
      { status: 'dead', n: 1 },
      { status: 'published', n: 2 },
    ]);
    const queued = await replayEvents(database.operatorDb(), {
      ...window(1),
      tenantId,
      by: { ...requeuedBy, reason: 'a subscriber lost its projection' },
    });
    expect(queued).toHaveLength(3);
    expect(await statuses(tenantId)).toEqual([{ status: 'pending', n: 3 }]);
    const recorded = await actions(tenantId);
    expect(recorded.map((row) => row.eventId)).toEqual(queued.map((event) => event.id).sort());
    expect(new Set(recorded.map((row) => `${row.action}: ${row.reason}`))).toEqual(
      new Set(['replay_event: a subscriber lost its projection']),
    );
  });

  it('records nothing for a dry run, nor for a requeue refused over its limit', async () => {
    const tenantId = newTenant();
    await seedDelivered(tenantId, 3, { status: 'dead' });
    expect(
      await retryDeadEvents(database.operatorDb(), { tenantId, dryRun: true, by: requeuedBy }),
    ).toHaveLength(3);
    await expect(
      retryDeadEvents(database.operatorDb(), { tenantId, maxRows: 2, by: requeuedBy }),
    ).rejects.toMatchObject({ reason: 'over_limit' });
    expect(await actions(tenantId)).toEqual([]);
    expect(await statuses(tenantId)).toEqual([{ status: 'dead', n: 3 }]);
  });

  it.each([
    ['no reason', { reason: '' }],
    ['a blank reason', { reason: '   ' }],
    ['a reason of 501 characters', { reason: 'x'.repeat(501) }],
    ['no actor', { actor: '' }],
    ['no correlation id', { correlationId: ' ' }],
  ])('refuses a retry or a replay with %s, changing and recording nothing', async (_label, bad) => {
    const tenantId = newTenant();
    await seedDelivered(tenantId, 2, { status: 'dead' });
    const by = { ...requeuedBy, ...bad };
    await expect(retryDeadEvents(database.operatorDb(), { tenantId, by })).rejects.toMatchObject({
      code: '22023',
    });
    await expect(
      replayEvents(database.operatorDb(), { ...window(1), tenantId, by }),
    ).rejects.toMatchObject({ code: '22023' });
    expect(await statuses(tenantId)).toEqual([{ status: 'dead', n: 2 }]);
    expect(await actions(tenantId)).toEqual([]);
  });

  it('leaves the operator role no unrecorded way to revive or resend events', async () => {
    const operator = database.roleUrl('operator');
    for (const statement of [
      // The versions of migration 0013 record nothing.
      'SELECT retry_dead_events(NULL::uuid[], NULL::text, NULL::int, false)',
      "SELECT replay_events(now() - interval '1 hour', now(), NULL::text, NULL::text, NULL::int, false)",
      "UPDATE outbox SET status = 'pending' WHERE status = 'dead'",
      `INSERT INTO operator_actions (id, tenant_id, actor, action, target_event_id, reason, correlation_id)
       VALUES (gen_random_uuid(), 't', 'operator:forger', 'replay_event', gen_random_uuid(), 'r', 'c')`,
      'DELETE FROM operator_actions',
    ]) {
      expect(await attempt(operator, [statement]), statement).toBe('42501');
    }
  });

  it('makes the CLI ask for --reason before a retry or a replay, and records who ran it', async () => {
    const tenantId = newTenant();
    await seedDelivered(tenantId, 2, { status: 'dead' });
    const noReason = outboxCli(['retry', '--all-dead', '--tenant', tenantId]);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('retry needs --reason');
    const replay = outboxCli(['replay', '--from', window(1).from, '--to', window(0).to]);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toContain('replay needs --reason');
    expect(outboxCli(['retry', '--all-dead', '--tenant', tenantId, '--dry-run']).code).toBe(0);
    expect(await statuses(tenantId)).toEqual([{ status: 'dead', n: 2 }]);

    const done = outboxCli(
      ['retry', '--all-dead', '--tenant', tenantId, '--reason', 'bus rule fixed (INC-42)'],
      { OUTBOX_OPERATOR: 'dana' },
    );
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('2 dead event(s) queued for another attempt, each recorded');
    const recorded = await actions(tenantId);
    expect(recorded).toHaveLength(2);
    for (const row of recorded) {
      expect(row).toMatchObject({
        actor: 'operator:dana',
        loginRole: 'auditflow_operator',
        action: 'retry_dead_event',
        reason: 'bus rule fixed (INC-42)',
        correlationId: expect.stringMatching(/^cli-retry-[0-9a-f-]{36}$/),
      });
    }
    expect(new Set(recorded.map((row) => row.correlationId)).size).toBe(1);
  });

  it('skips one dead event from the CLI with a reason, on record, and refuses what is not a dead event of the tenant', async () => {
    const tenantId = newTenant();
    await seedDelivered(tenantId, 1, { status: 'dead' });
    const { rows } = await database.sql('SELECT id FROM outbox WHERE tenant_id = $1', [tenantId]);
    const id = rows[0]?.id as string;
    const env = { OUTBOX_OPERATOR: 'dana' };
    expect(outboxCli(['skip', id], env).code).toBe(2);
    expect(outboxCli(['skip', 'not-a-uuid', '--reason', 'x'], env).code).toBe(2);
    expect(outboxCli(['skip', id, '--reason', 'x'.repeat(501)], env).code).toBe(2);
    const elsewhere = outboxCli(['skip', id, '--reason', 'retired', '--tenant', newTenant()], env);
    expect(elsewhere.code).toBe(1);
    expect(await statuses(tenantId)).toEqual([{ status: 'dead', n: 1 }]);

    const skipped = outboxCli(
      ['skip', id, '--reason', 'bus rule retired', '--tenant', tenantId],
      env,
    );
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(
      new RegExp(
        `^skipped ${id} \\(tenant ${tenantId}\\); recorded as operator action [0-9a-f-]{36}$`,
        'm',
      ),
    );
    expect(await statuses(tenantId)).toEqual([{ status: 'skipped', n: 1 }]);
    expect(await outboxStatus(database.operatorDb(), tenantId)).toMatchObject({
      dead: 0,
      skipped: 1,
    });
    expect(await actions(tenantId)).toEqual([
      expect.objectContaining({ actor: 'operator:dana', action: 'skip_dead_event', eventId: id }),
    ]);
    const again = outboxCli(['skip', id, '--reason', 'bus rule retired'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not a dead event; nothing skipped');
    expect(await actions(tenantId)).toHaveLength(1);
  });
});

describe('confirming a large requeue at a terminal', () => {
  const prompted = (answer: string) => {
    const out: string[] = [];
    const questions: string[] = [];
    return {
      out,
      questions,
      io: {
        out: (line: string) => out.push(line),
        err: (line: string) => out.push(line),
        prompt: {
          interactive: true,
          ask: async (question: string) => {
            questions.push(question);
            return answer;
          },
        },
      },
    };
  };
  const retryOf = (tenantId: string) => ({
    verb: 'retry',
    noun: 'dead event(s)',
    queued: 'queued for another attempt',
    run: (db: Parameters<typeof retryDeadEvents>[0], limits: object) =>
      retryDeadEvents(db, { ...limits, tenantId, by: requeuedBy }),
    tenantId,
    dryRun: false,
    yes: false,
    json: false,
    confirmAbove: 2,
  });

  it('asks above the cap, and a no changes nothing', async () => {
    const tenantId = newTenant();
    await seedDelivered(tenantId, 3, { status: 'dead' });
    const declined = prompted('n');
    expect(await runRequeue(database.operatorDb(), retryOf(tenantId), declined.io)).toBe(1);
    expect(declined.questions).toEqual(['retry 3 dead event(s)? [y/N] ']);
    expect(declined.out).toEqual(['nothing changed']);
    expect(await statuses(tenantId)).toEqual([{ status: 'dead', n: 3 }]);
  });

  it('asks above the cap, and a yes queues exactly what was counted', async () => {
    const tenantId = newTenant();
    await seedDelivered(tenantId, 3, { status: 'dead' });
    const accepted = prompted('yes');
    expect(await runRequeue(database.operatorDb(), retryOf(tenantId), accepted.io)).toBe(0);
    expect(accepted.out).toEqual([
      '3 dead event(s) queued for another attempt, each recorded as an operator action',
    ]);
    expect(await statuses(tenantId)).toEqual([{ status: 'pending', n: 3 }]);
  });
});
