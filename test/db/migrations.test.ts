import fs from 'node:fs/promises';
import path from 'node:path';
import { createDb, databaseUrl, migrateToLatest } from '@auditflow/db';
import { migrations } from '@auditflow/migrations';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
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

  it('gives the outbox queue storage settings, and undoes them and redoes them cleanly', async () => {
    const db = createDb({ target: { connectionString: databaseUrl(serverUrl, name) }, max: 1 });
    const outboxStorage = async () => {
      const { rows } = await sql<{ options: string[] | null; indexes: string[] }>`
        SELECT c.reloptions AS options,
               array(SELECT indexname::text FROM pg_indexes
                      WHERE tablename = 'outbox' ORDER BY indexname) AS indexes
          FROM pg_class c WHERE c.oid = 'outbox'::regclass
      `.execute(db);
      return rows[0];
    };
    try {
      const latest = await outboxStorage();
      expect(latest?.options).toEqual(
        expect.arrayContaining(['fillfactor=50', 'autovacuum_vacuum_scale_factor=0']),
      );
      expect(latest?.indexes).not.toContain('outbox_by_tenant');

      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => migrations },
      });
      // Down through every later migration too: their own down steps must work.
      const later = Object.keys(migrations).filter((name) => name > '0005-outbox-storage');
      const down = await migrator.migrateTo('0004-subscribers');
      expect(down.error).toBeUndefined();
      expect(down.results?.map((r) => r.migrationName)).toEqual(
        ['0005-outbox-storage', ...later].reverse(),
      );
      const before = await outboxStorage();
      expect(before?.options).toBeNull();
      expect(before?.indexes).toContain('outbox_by_tenant');

      expect(await migrateToLatest(db)).toEqual(['0005-outbox-storage', ...later]);
      expect(await outboxStorage()).toEqual(latest);
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
