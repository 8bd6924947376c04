import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type CheckpointStore, fileCheckpointStore, sealAuditChain } from '@auditflow/audit';
import { lambdaContext } from '@auditflow/local';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { handler as storeCheckpoint } from '../../functions/subscribers/store-audit-checkpoints';
import { aPayrollRun, call } from './api';
import type { TestDatabase } from './database';
import { outboxRows, targetEventFor } from './events';

/**
 * A checkpoint directory of the test file's own, where the checkpoint
 * subscriber (which reads AUDIT_CHECKPOINT_DIR once per process) keeps them.
 */
export function useCheckpointStore(): () => CheckpointStore {
  let dir = '';
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditflow-checkpoints-'));
    process.env.AUDIT_CHECKPOINT_DIR = dir;
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  return () => fileCheckpointStore(dir);
}

/** Real history through the deployed API handlers: `runs` payroll runs, each created and submitted. */
export async function writeHistory(tenant: string, runs: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < runs; i++) {
    const as = { tenant, sub: 'alice' };
    const created = await call('POST', '/payroll-runs', {
      as,
      body: { ...aPayrollRun, grossTotalMinor: 1000 + i },
    });
    if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
    const submitted = await call('POST', `/payroll-runs/${created.body.id}/submit`, { as });
    if (submitted.status !== 200)
      throw new Error(`submit failed: ${JSON.stringify(submitted.body)}`);
    ids.push(created.body.id);
  }
  return ids;
}

/**
 * Seals as the relay's housekeeping does, then hands every checkpoint event
 * of the tenant to the checkpoint subscriber, as EventBridge would (repeats
 * are deduplicated by its inbox).
 */
export async function sealAndStore(database: TestDatabase, tenant: string): Promise<number> {
  const sealed = await sealAuditChain(database.relayDb());
  for (const row of await outboxRows(database, tenant, 'audit.checkpoint.v1')) {
    const outcome = await storeCheckpoint(
      targetEventFor(row),
      lambdaContext('store-audit-checkpoints'),
    );
    if (outcome === 'dead-lettered') throw new Error(`checkpoint ${row.id} was dead-lettered`);
  }
  return sealed;
}

/**
 * Runs statements in one transaction as the owner with triggers off
 * (session_replication_role = replica): what a holder of the master
 * credentials can do, and what the chain must expose.
 */
export async function asOwnerWithoutTriggers(
  database: TestDatabase,
  statements: { text: string; values?: unknown[] }[],
): Promise<void> {
  const client = new pg.Client({ connectionString: database.url() });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    for (const statement of statements) await client.query(statement.text, statement.values);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}
