import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { MIGRATIONS_DIR } from '../src/platform/db/database.js';
import { MigrationChecksumError, migrate } from '../src/platform/db/migrator.js';
import { createPool } from '../src/platform/db/pool.js';
import { SecretBox } from '../src/platform/crypto/secret-box.js';
import { bearer, buildTestApp, createTestDatabase, registerUser, testLogger } from './helpers.js';

const secrets = { JWT_SECRET: 'j'.repeat(32), SECRET_KEY: 's'.repeat(32) };

describe('config', () => {
  it('lists every bad variable, one line each', () => {
    try {
      loadConfig({ JWT_SECRET: 'short', PORT: 'abc', TRUST_PROXY: 'true', HF_ENDPOINT: 'not a url' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const paths = (err as ConfigError).problems.map((p) => p.split(':')[0]).sort();
      expect(paths).toEqual(['HF_ENDPOINT', 'JWT_SECRET', 'PORT', 'SECRET_KEY', 'TRUST_PROXY']);
    }
  });

  it('applies defaults and resolves folders to absolute paths', () => {
    const c = loadConfig({ ...secrets, TRUST_PROXY: '1' }, '/srv/sokhan');
    expect(c.PORT).toBe(3000);
    expect(c.DB_POOL_MAX).toBe(20);
    expect(c.BCRYPT_COST).toBe(12);
    expect(c.TRUST_PROXY).toBe(1);
    expect(c.HF_ENDPOINT).toBe('https://huggingface.co');
    expect(c.paths.models).toBe('/srv/sokhan/models');
  });

  it('keeps the connections of one file within the bound of a download', () => {
    const c = loadConfig(secrets);
    expect([c.DOWNLOAD_CONNECTIONS, c.DOWNLOAD_CHUNKED_MIN_MB, c.DOWNLOAD_MAX_CONNECTIONS, c.DOWNLOAD_HOST_CONNECTIONS]).toEqual([8, 32, 8, 16]);
    expect(loadConfig({ ...secrets, DOWNLOAD_CONNECTIONS: '1' }).DOWNLOAD_CONNECTIONS).toBe(1);
    expect(() => loadConfig({ ...secrets, DOWNLOAD_CONNECTIONS: '12' })).toThrow(/DOWNLOAD_CONNECTIONS: 12 is more than DOWNLOAD_MAX_CONNECTIONS \(8\)/);
    expect(() => loadConfig({ ...secrets, DOWNLOAD_CONNECTIONS: '0' })).toThrow(ConfigError);
  });

  it('never lets bcrypt cost go below 10', () => {
    expect(() => loadConfig({ ...secrets, BCRYPT_COST: '8' })).toThrow(ConfigError);
  });
});

describe('secret box', () => {
  it('round-trips, uses a fresh IV each time and refuses tampering or another key', () => {
    const box = new SecretBox('k'.repeat(40));
    const a = box.seal('hf_secretToken1234');
    const b = box.seal('hf_secretToken1234');
    expect(a).not.toBe(b);
    expect(a).not.toContain('secretToken');
    expect(box.open(a)).toBe('hf_secretToken1234');
    const parts = a.split(':');
    parts[3] = Buffer.from('hf_otherToken00000').toString('base64url');
    expect(() => box.open(parts.join(':'))).toThrow();
    expect(() => new SecretBox('z'.repeat(40)).open(a)).toThrow();
  });
});

describe('migrations', () => {
  it('applies in order once, records checksums and refuses an edited file', async () => {
    const db = await createTestDatabase();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-mig-'));
    try {
      // The real schema is applied already; these add to it (a database with migrations the folder lacks is refused).
      await fs.cp(MIGRATIONS_DIR, dir, { recursive: true });
      await fs.writeFile(path.join(dir, '900_a.sql'), 'CREATE TABLE mig_a (id int PRIMARY KEY);');
      await fs.writeFile(path.join(dir, '901_b.sql'), 'CREATE TABLE mig_b (id int REFERENCES mig_a (id));');
      await fs.writeFile(path.join(dir, 'notes.txt'), 'ignored');
      const first = await migrate(db.pool, dir);
      expect(first.applied).toEqual(['900_a.sql', '901_b.sql']);
      const again = await migrate(db.pool, dir);
      expect(again.applied).toEqual([]);
      await fs.writeFile(path.join(dir, '902_bad.sql'), 'CREATE TABLE mig_c (id int); SELECT no_such_function();');
      await expect(migrate(db.pool, dir)).rejects.toThrow(/902_bad\.sql failed/);
      const c = await db.pool.query(`SELECT to_regclass('mig_c') AS t`);
      expect(c.rows[0].t).toBeNull();
      await fs.rm(path.join(dir, '902_bad.sql'));
      await fs.writeFile(path.join(dir, '900_a.sql'), 'CREATE TABLE mig_a (id bigint);');
      await expect(migrate(db.pool, dir)).rejects.toBeInstanceOf(MigrationChecksumError);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
      await db.drop();
    }
  });
});

describe('database failures', () => {
  it('answers 503 with Retry-After when the pool is exhausted instead of hanging', async () => {
    const db = await createTestDatabase({ max: 1, connectTimeoutMs: 300 });
    const t = await buildTestApp({}, { pool: db.pool });
    try {
      const u = await registerUser(t.app);
      const held = await db.pool.connect();
      try {
        const started = Date.now();
        const res = await request(t.app).get('/api/settings').set(bearer(u.token));
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
        expect(res.headers['retry-after']).toBe('2');
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        held.release();
      }
      const after = await request(t.app).get('/api/settings').set(bearer(u.token));
      expect(after.status).toBe(200);
    } finally {
      await t.close();
      await db.drop();
    }
  });

  it('reports health 503 when the database is unreachable, and the process survives', async () => {
    const pool = createPool({
      connectionString: 'postgres://nobody:x@127.0.0.1:1/none',
      max: 2,
      connectTimeoutMs: 500,
      idleTimeoutMs: 1000,
      statementTimeoutMs: 1000,
      logger: testLogger,
    });
    // Runners are not started: resuming work needs the database this test takes away.
    const t = await buildTestApp({}, { pool, start: false });
    try {
      const res = await request(t.app).get('/api/health');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'degraded', db: 'down' });
      const login = await request(t.app).post('/api/auth/login').send({ login: 'a', password: 'b' });
      expect(login.status).toBe(503);
      expect(JSON.stringify(login.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/);
    } finally {
      await t.close();
      await pool.end();
    }
  });

  it('hides internals of unexpected errors behind INTERNAL and the request id', async () => {
    const db = await createTestDatabase();
    const t = await buildTestApp({}, { pool: db.pool });
    try {
      const u = await registerUser(t.app);
      await db.pool.query('ALTER TABLE user_settings RENAME COLUMN settings_json TO settings_gone');
      const res = await request(t.app).get('/api/settings').set(bearer(u.token)).set('X-Request-Id', 'trace-me-1');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error', requestId: 'trace-me-1' } });
    } finally {
      await t.close();
      await db.drop();
    }
  });
});

describe('pool errors', () => {
  it('logs a server shutting a connection down (57P01) as a warning, not an error, and keeps working', async () => {
    const db = await createTestDatabase();
    const lines: { level: number; msg: string; code?: string }[] = [];
    const { pino } = await import('pino');
    const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const pool = createPool({ connectionString: db.url, max: 2, connectTimeoutMs: 5000, idleTimeoutMs: 60_000, statementTimeoutMs: 10_000, logger });
    try {
      const pid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const errored = new Promise<void>((resolve) => pool.once('error', () => resolve()));
      // What a stopping server (or an admin) does to an idle connection: the client gets 57P01.
      await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      await errored;
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
      expect(lines).toContainEqual(expect.objectContaining({ level: 40, code: '57P01', msg: 'database connection closed by the server shutting down' }));
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});

describe('request log', () => {
  it('writes one line per request at info without headers, and the headers at debug', async () => {
    const { pino } = await import('pino');
    const { buildApp } = await import('../src/app.js');
    const { REDACT_PATHS } = await import('../src/platform/logger.js');
    const t = await buildTestApp();
    try {
      for (const level of ['info', 'debug'] as const) {
        const lines: Record<string, any>[] = [];
        const logger = pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, { write: (s: string) => void lines.push(JSON.parse(s)) });
        const app = buildApp({ config: t.config, logger, services: t.services });
        await request(app).get('/api/nope').set('User-Agent', 'sokhan-log-test').set('Authorization', 'Bearer secret-token');
        const done = lines.filter((l) => l.msg === 'request completed');
        expect(done).toHaveLength(1);
        expect(done[0]).toMatchObject({ level: 30, req: { method: 'GET', url: '/api/nope' }, res: { statusCode: 404 } });
        expect(typeof done[0]!.responseTime).toBe('number');
        if (level === 'info') expect(JSON.stringify(done[0])).not.toMatch(/sokhan-log-test|headers|secret-token/);
        else expect(done[0]!.req.headers['user-agent']).toBe('sokhan-log-test');
        expect(JSON.stringify(lines)).not.toContain('secret-token');
      }
    } finally {
      await t.close();
    }
  });
});
