import { setTimeout as sleep } from 'node:timers/promises';
import { createWakeSignal, listenForCommits } from '@auditflow/relay';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

/** Resolves true when the signal is nudged within `ms`, false when the wait ran out. */
async function nudgedWithin(wait: (ms: number) => Promise<void>, ms: number): Promise<boolean> {
  const started = Date.now();
  await wait(ms);
  return Date.now() - started < ms - 50;
}

async function listenerPids(): Promise<number[]> {
  const { rows } = await database.sql(
    `SELECT pid FROM pg_stat_activity
      WHERE application_name = 'auditflow-relay-listen' AND datname = current_database()`,
  );
  return rows.map((row) => Number(row.pid));
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

describe('listening for commits', () => {
  it('wakes the relay when a notification arrives', async () => {
    const wake = createWakeSignal();
    const stop = await listenForCommits(database.url(), wake);
    try {
      const waiting = nudgedWithin(wake.wait, 5_000);
      await database.sql(`SELECT pg_notify('outbox_pending', '')`);
      expect(await waiting).toBe(true);
    } finally {
      await stop();
    }
  });

  it('listens again after its connection is ended, reporting the loss once and the return', async () => {
    const wake = createWakeSignal();
    const lost: unknown[] = [];
    let restored = 0;
    const stop = await listenForCommits(database.url(), wake, {
      retryDelayMs: 50,
      onLost: (error) => lost.push(error),
      onRestored: () => restored++,
    });
    try {
      const [first] = await listenerPids();
      await database.sql('SELECT pg_terminate_backend($1)', [first]);
      await waitFor(async () => restored === 1, 5_000);
      expect(lost).toHaveLength(1);
      const pids = await listenerPids();
      expect(pids).toHaveLength(1);
      expect(pids[0]).not.toBe(first);
      // The reconnect nudged once for what committed while deaf; take that nudge first.
      await wake.wait(0);
      const waiting = nudgedWithin(wake.wait, 5_000);
      await database.sql(`SELECT pg_notify('outbox_pending', '')`);
      expect(await waiting).toBe(true);
    } finally {
      await stop();
    }
    expect(await listenerPids()).toEqual([]);
  });
});
