import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { migrateQueueSchema } from '../queue/queue-schema.js';
import type { Pool } from './pool.js';

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

export class MigrationChecksumError extends Error {
  constructor(readonly file: string) {
    super(`migration ${file} was edited after it was applied; add a new numbered migration instead`);
  }
}

/**
 * The database has migrations this code does not know: a newer release migrated it. Running on would read and
 * write a schema this code was not written for, so the process refuses to start (exit code 2).
 */
export class SchemaTooNewError extends Error {
  constructor(readonly unknown: string[]) {
    super(
      `the database schema is newer than this release: it has ${unknown.join(', ')}, which this release does not know; ` +
        'run the release that migrated it (or a newer one)',
    );
  }
}

const FILE_PATTERN = /^(\d{3,})_[a-z0-9_]+\.sql$/;

export async function listMigrations(dir: string): Promise<{ name: string; sql: string; checksum: string }[]> {
  const names = (await fs.readdir(dir)).filter((n) => FILE_PATTERN.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await fs.readFile(path.join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies numbered SQL files in order, each in its own transaction, recording name and checksum.
 * An advisory lock keeps two processes from migrating at once: instances starting together apply each file once.
 * A database with a migration this code does not have is refused before anything is applied (SchemaTooNewError).
 */
export async function migrate(pool: Pool, dir: string): Promise<MigrationResult> {
  const migrations = await listMigrations(dir);
  const client = await pool.connect();
  const result: MigrationResult = { applied: [], skipped: [] };
  try {
    await client.query('SELECT pg_advisory_lock(727274)');
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map(
      (await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations')).rows.map(
        (r) => [r.name, r.checksum],
      ),
    );
    const ours = new Set(migrations.map((m) => m.name));
    const unknown = [...done.keys()].filter((name) => !ours.has(name)).sort();
    if (unknown.length) throw new SchemaTooNewError(unknown);
    for (const m of migrations) {
      const known = done.get(m.name);
      if (known !== undefined) {
        if (known !== m.checksum) throw new MigrationChecksumError(m.name);
        result.skipped.push(m.name);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [m.name, m.checksum]);
        await client.query('COMMIT');
        result.applied.push(m.name);
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
    client.release();
  }
  // The job queue's tables (graphile-worker migrates its own schema; enqueueing needs them in every role).
  await migrateQueueSchema(pool);
  return result;
}
