import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { queryOnce } from '@auditflow/db';
import { loadOrCreateKey, signDevToken, startLocalStack } from '@auditflow/local';
import { type Benchmark, median, ROOT, round, target } from './harness';

export interface RecoveryConfig {
  /** Outages measured: kill the postmaster, let npm start bring it back. */
  rounds: number;
  /** Writes timed with the database up, for the baselines. */
  baselineWrites: number;
}

interface Round {
  /** Kill -> the restarted server accepts connections. */
  restartMs: number;
  /** Accepting connections -> the first write answered 201. */
  firstWriteMs: number;
  /** Accepting connections -> the event of a write made then accepted by the endpoint. */
  firstDeliveryMs: number;
}

/**
 * Time to recovery, the stack as `npm start` runs it (its own embedded
 * Postgres, supervised): kill -9 the postmaster, and time from the moment the
 * restarted server accepts connections to the first successful write over
 * HTTP and to the endpoint accepting an event committed then. Baselines: a
 * write, and a write until its event is accepted, with the database up.
 * Always on an embedded server of its own, since it kills it.
 */
export const recovery: Benchmark<RecoveryConfig> = {
  name: 'recovery',
  description: 'database killed and restarted -> first successful write and first delivery',
  full: () => ({ rounds: 3, baselineWrites: 50 }),
  smoke: () => ({ rounds: 1, baselineWrites: 3 }),
  async run(config, context) {
    const startedAt = new Date().toISOString();
    const began = performance.now();
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-bench-recovery-'));
    await fs.chmod(dataDir, 0o755);
    const previousUrl = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    const stack = await startLocalStack({
      dataDir,
      root: ROOT,
      apiPort: 0,
      databasePort: 0,
      eventBridgePort: 0,
      log: (message) => context.log(message),
    });
    try {
      const token = await signDevToken(await loadOrCreateKey(dataDir), {
        tenant: 'bench-recovery',
        sub: 'alice',
      });
      const write = async () => {
        const response = await fetch(`${stack.apiUrl}/payroll-runs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            periodStart: '2026-11-01',
            periodEnd: '2026-11-30',
            payDate: '2026-12-01',
            currency: 'EUR',
            grossTotalMinor: 100,
            employeeCount: 1,
          }),
        }).catch(() => undefined);
        if (response?.status !== 201) return undefined;
        return ((await response.json()) as { id: string }).id;
      };
      const acceptedAt = async (id: string) => {
        while (true) {
          const found = stack.eventBridge.accepted.find(
            (event) => (event.detail as { aggregate: { id: string } }).aggregate.id === id,
          );
          if (found) return performance.now();
          if (performance.now() - began > 600_000) throw new Error(`event of ${id} not accepted`);
          await sleep(2);
        }
      };
      const writeMs: number[] = [];
      const deliveryMs: number[] = [];
      for (let i = 0; i < config.baselineWrites; i++) {
        const sent = performance.now();
        const id = await write();
        if (!id) throw new Error('a write failed with the database up');
        writeMs.push(performance.now() - sent);
        deliveryMs.push((await acceptedAt(id)) - sent);
      }

      const rounds: Round[] = [];
      for (let i = 0; i < config.rounds; i++) {
        // A server that dies within 10 s of starting counts, to the supervisor,
        // as a failed start (a crash loop); outages this close would add up to one.
        if (i > 0) await sleep(11_000);
        const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
        const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
        const killedAt = performance.now();
        process.kill(pid, 'SIGKILL');
        // Until the old server is gone, "accepting" would measure nothing.
        while (await accepting(stack.databaseUrl)) await sleep(5);
        while (!(await accepting(stack.databaseUrl))) await sleep(5);
        const backAt = performance.now();
        let id: string | undefined;
        while (!id) {
          if (performance.now() - backAt > 60_000) throw new Error('no write succeeded in 60 s');
          id = await write();
        }
        const firstWriteAt = performance.now();
        const deliveredAt = await acceptedAt(id);
        rounds.push({
          restartMs: backAt - killedAt,
          firstWriteMs: firstWriteAt - backAt,
          firstDeliveryMs: deliveredAt - backAt,
        });
        context.log(`round ${i + 1}: ${JSON.stringify(rounds.at(-1))}`);
      }

      const baselineWrite = median(writeMs);
      const baselineDelivery = median(deliveryMs);
      const firstWrite = median(rounds.map((r) => r.firstWriteMs));
      const firstDelivery = median(rounds.map((r) => r.firstDeliveryMs));
      const restart = median(rounds.map((r) => r.restartMs));
      return {
        startedAt,
        durationMs: performance.now() - began,
        config: {
          ...config,
          postgres: 'embedded, supervised by the local stack (always its own: it is killed)',
          figures: 'medians over the rounds; from the restarted server accepting connections',
        },
        rows: [
          {
            label: 'back -> first write answered 201 (median)',
            value: round(firstWrite),
            unit: 'ms',
            baseline: { label: 'write, database up (median)', value: round(baselineWrite) },
            ratio: firstWrite / baselineWrite,
          },
          {
            label: 'back -> event of a write then accepted (median)',
            value: round(firstDelivery),
            unit: 'ms',
            baseline: {
              label: 'write -> accepted, database up (median)',
              value: round(baselineDelivery),
            },
            ratio: firstDelivery / baselineDelivery,
          },
          { label: 'kill -> restarted server accepts (median)', value: round(restart), unit: 'ms' },
        ],
        results: rounds.map((r) => ({
          restartMs: round(r.restartMs),
          firstWriteMs: round(r.firstWriteMs),
          firstDeliveryMs: round(r.firstDeliveryMs),
        })),
        targets: [
          target('back -> first write (ms)', firstWrite, '<=', 3_000),
          target('back -> first delivery (ms)', firstDelivery, '<=', 5_000),
        ],
      };
    } finally {
      await stack.stop();
      if (previousUrl === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = previousUrl;
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  },
};

async function accepting(url: string): Promise<boolean> {
  try {
    await queryOnce(url, 'SELECT 1');
    return true;
  } catch {
    return false;
  }
}
