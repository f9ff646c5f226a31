import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../src/platform/db/database.js';
import { migrate, SchemaTooNewError } from '../src/platform/db/migrator.js';
import { createTestDatabase } from './helpers.js';
import { instanceEnv, killAllSokhan, startSokhan } from './sokhan-process.js';

afterAll(killAllSokhan);

describe('a database migrated by a newer release', () => {
  it('is refused before anything is applied, naming what this release does not know', async () => {
    const db = await createTestDatabase();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-mig-'));
    try {
      await db.pool.query(`INSERT INTO schema_migrations (name, checksum) VALUES ('999_from_a_newer_release.sql', 'x')`);
      await fs.cp(MIGRATIONS_DIR, dir, { recursive: true });
      await fs.writeFile(path.join(dir, '900_pending.sql'), 'CREATE TABLE mig_pending (id int);');
      const err = await migrate(db.pool, dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaTooNewError);
      expect((err as SchemaTooNewError).unknown).toEqual(['999_from_a_newer_release.sql']);
      // Nothing of ours ran against the newer schema.
      expect((await db.pool.query(`SELECT to_regclass('mig_pending') AS t`)).rows[0].t).toBeNull();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
      await db.drop();
    }
  });

  it('makes the server exit with code 2 and a clear message instead of starting', async () => {
    const db = await createTestDatabase();
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-newer-'));
    try {
      await db.pool.query(`INSERT INTO schema_migrations (name, checksum) VALUES ('999_from_a_newer_release.sql', 'x')`);
      const p = startSokhan('newer-schema', instanceEnv(root, db.url, { PORT: '0', LOG_LEVEL: 'silent' }));
      expect(await p.exited).toBe(2);
      expect(p.output()).toMatch(/database schema is newer than this release: it has 999_from_a_newer_release\.sql/);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
      await db.drop();
    }
  });
});
