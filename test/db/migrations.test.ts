import fs from 'node:fs/promises';
import path from 'node:path';
import { createDb, databaseUrl, migrateToLatest } from '@auditflow/db';
import { migrations } from '@auditflow/migrations';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { onServer } from '../support/server';

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../migrations');

describe('migrations', () => {
  const name = `migrate_${Date.now()}`;
  const serverUrl = inject('serverUrl');
  afterAll(() => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

  it('registers every migration file in the static provider, in file order', async () => {
    const files = (await fs.readdir(MIGRATIONS_DIR))
      .filter((file) => /^\d{4}-.+\.ts$/.test(file))
      .map((file) => file.replace(/\.ts$/, ''))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
  });

  it('migrates an empty database to the latest schema, and a second run applies nothing', async () => {
    await onServer(serverUrl, `CREATE DATABASE ${name}`);
    const db = createDb({ target: { connectionString: databaseUrl(serverUrl, name) }, max: 1 });
    try {
      expect(await migrateToLatest(db)).toEqual(Object.keys(migrations));
      expect(await migrateToLatest(db)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it('never imports application types, so a migration stays frozen in time', async () => {
    for (const file of await fs.readdir(MIGRATIONS_DIR)) {
      if (!file.endsWith('.ts')) continue;
      const source = await fs.readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
      expect(source, file).not.toMatch(/from '@auditflow\/(?!migrations)/);
    }
  });
});
