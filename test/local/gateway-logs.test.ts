import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { routes } from '@auditflow/functions';
import { createVerifier, loadOrCreateKey, signDevToken, startGateway } from '@auditflow/local';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aPayrollRun } from '../support/api';
import { useTestDatabase } from '../support/database';

// This file reads the handlers' log lines; the loggers read the level when created.
// A connection for each of the 20 requests: none waits for another's on a busy machine.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.DATABASE_POOL_MAX = '20';
});

useTestDatabase();

const ROOT = path.resolve(import.meta.dirname, '../..');
let dataDir: string;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let key: Awaited<ReturnType<typeof loadOrCreateKey>>;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-gateway-logs-'));
  key = await loadOrCreateKey(dataDir);
  gateway = await startGateway({ routes, verify: createVerifier(key), root: ROOT, port: 0 });
});
afterAll(async () => {
  await gateway.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

/** The JSON lines Powertools writes to stdout while `work` runs. */
async function logLinesOf(work: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
    for (const line of String(chunk).split('\n')) {
      if (line.startsWith('{')) lines.push(JSON.parse(line));
    }
    return write(chunk, ...(rest as []));
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

describe('logs of concurrent local requests', () => {
  it('names on every line the request it belongs to: its own correlation id and tenant', async () => {
    const requests = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => ({
        correlationId: `logs-${i}`,
        tenantId: `tenant-logs-${i}`,
        token: await signDevToken(key, { tenant: `tenant-logs-${i}`, sub: `user-${i}` }),
      })),
    );
    const lines = await logLinesOf(() =>
      Promise.all(
        requests.map(async ({ correlationId, token }) => {
          const response = await fetch(`${gateway.url}/payroll-runs`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'x-correlation-id': correlationId,
            },
            body: JSON.stringify(aPayrollRun),
          });
          expect(response.status).toBe(201);
        }),
      ),
    );
    const tenantOf = new Map(requests.map((r) => [r.correlationId, r.tenantId]));
    const committed = lines.filter((line) => line.message === 'state change committed');
    expect(committed).toHaveLength(20);
    expect(new Set(committed.map((line) => line.correlationId)).size).toBe(20);
    for (const line of committed) {
      expect(line.tenantId, `line of ${line.correlationId}`).toBe(
        tenantOf.get(line.correlationId as string),
      );
    }
    const handled = lines.filter((line) => line.message === 'request handled');
    expect(handled).toHaveLength(20);
    for (const line of handled) {
      expect(line.tenantId, `line of ${line.correlationId}`).toBe(
        tenantOf.get(line.correlationId as string),
      );
    }
    expect(new Set(handled.map((line) => line.correlationId)).size).toBe(20);
    // Each invocation's own request id, too, though the local invocations share one Logger.
    expect(new Set(handled.map((line) => line.function_request_id)).size).toBe(20);
  });
});
