import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateKey, signDevToken } from '@auditflow/local';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aPayrollRun } from '../support/api';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dataDir: string;

beforeAll(async () => {
  // World-traversable: Postgres runs as its own OS user when we are root.
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-supervise-'));
  await fs.chmod(dataDir, 0o755);
});
afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  output: () => string;
  apiUrl: string;
  exited: Promise<number | null>;
}
let running: Started | undefined;
afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGKILL');
    await running.exited;
  }
  running = undefined;
});

/** `npm start` in a process of its own, on free ports and this file's data directory. */
async function npmStart(): Promise<Started> {
  const child = spawn(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    ['packages/local/src/bin/start.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        AUDITFLOW_DATA_DIR: dataDir,
        DATABASE_URL: '',
        PORT: '0',
        LOCAL_DB_PORT: '0',
        LOCAL_EVENTBRIDGE_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const apiUrl = await waitFor(
    'npm start to print its API address',
    () => {
      if (child.exitCode !== null) throw new Error(`npm start exited: ${output}`);
      return /^API:\s+(\S+)/m.exec(output)?.[1];
    },
    { timeoutMs: 60_000 },
  );
  running = { child, output: () => output, apiUrl, exited };
  return running;
}

async function postmasterPid(): Promise<number> {
  const content = await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8');
  return Number(content.split('\n')[0]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function createRun(apiUrl: string): Promise<{ status: number; id?: string }> {
  const token = await signDevToken(await loadOrCreateKey(dataDir), {
    tenant: 'supervised',
    sub: 'alice',
  });
  const response = await fetch(`${apiUrl}/payroll-runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(aPayrollRun),
  });
  const body = (await response.json()) as { id?: string };
  return { status: response.status, id: body.id };
}

/** Holds `port` on the address Postgres listens on, once the dead server's sockets are gone. */
async function occupy(port: number): Promise<net.Server> {
  return waitFor('the port to be free to occupy', async () => {
    const server = net.createServer();
    return new Promise<net.Server | undefined>((resolve) => {
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  });
}

describe('npm start and its embedded Postgres', () => {
  it('says so when Postgres dies, starts it again on the same data, carries on serving, and stops cleanly on Ctrl+C', async () => {
    const stack = await npmStart();
    const before = await createRun(stack.apiUrl);
    expect(before.status).toBe(201);

    const killed = await postmasterPid();
    process.kill(killed, 'SIGKILL');
    await waitFor('the restart to be reported', () =>
      /Postgres is running again/.test(stack.output()),
    );
    expect(stack.output()).toMatch(/Postgres exited unexpectedly \(SIGKILL\)/);
    const after = await waitFor(
      'a write to succeed again',
      async () => {
        const created = await createRun(stack.apiUrl);
        return created.status === 201 ? created : undefined;
      },
      { intervalMs: 200 },
    );
    expect(after.id).not.toBe(before.id);
    const restarted = await postmasterPid();
    expect(restarted).not.toBe(killed);

    stack.child.kill('SIGINT');
    expect([0, 130]).toContain(await stack.exited);
    expect(isAlive(restarted)).toBe(false);
  }, 120_000);

  it('gives up with a clear message and exits when Postgres cannot be started again', async () => {
    const stack = await npmStart();
    // The banner's Database line names the port the server got.
    const port = Number(/127\.0\.0\.1:(\d+)\//.exec(stack.output())?.[1]);
    process.kill(await postmasterPid(), 'SIGKILL');
    // Something else takes the port meanwhile: every restart fails.
    const squatter = await occupy(port);
    try {
      expect(await stack.exited).toBe(1);
    } finally {
      squatter.close();
    }
    expect(stack.output()).toMatch(/Postgres did not start \(attempt 5 of 5\)/);
    expect(stack.output()).toMatch(/Postgres could not be kept running .* after 5 attempts/);
  }, 120_000);
});
