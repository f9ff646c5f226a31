import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AuthResponse } from '@sokhan/common';
import type { Express } from 'express';
import pg from 'pg';
import request from 'supertest';
import { afterAll, inject } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createAuthService } from '../src/modules/auth/auth.factory.js';
import type { AuthService } from '../src/modules/auth/auth.service.js';
import { MIGRATIONS_DIR } from '../src/platform/db/database.js';
import { ensureDatabase } from '../src/platform/db/embedded.js';
import { migrate } from '../src/platform/db/migrator.js';
import { createPool, type Pool } from '../src/platform/db/pool.js';
import { createMountableServer } from '../src/platform/http/http-server.js';
import { createLogger } from '../src/platform/logger.js';
import { attachRealtime, silentNotifier, type Notifier } from '../src/platform/realtime/realtime.js';
import { createServices, type Services } from '../src/services.js';
import { freePort } from './ports.js';

export const testLogger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

/** A fresh, migrated database on the run's embedded PostgreSQL. */
export async function createTestDatabase(opts: { max?: number; connectTimeoutMs?: number } = {}): Promise<{ pool: Pool; url: string; drop(): Promise<void> }> {
  const admin = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const url = await ensureDatabase(admin, name);
  const pool = createPool({
    connectionString: url,
    max: opts.max ?? 10,
    connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
    idleTimeoutMs: 10_000,
    statementTimeoutMs: 30_000,
    logger: testLogger,
  });
  await migrate(pool, MIGRATIONS_DIR);
  return {
    pool,
    url,
    drop: async () => {
      await pool.end();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

// Folders of every test config, removed when the file's tests are done (apps may be rebuilt on them until then).
const tempRoots: string[] = [];
afterAll(async () => {
  await Promise.all(tempRoots.splice(0).map((r) => fs.rm(r, { recursive: true, force: true })));
});

/** Config for tests: temp folders, fast bcrypt, generous limits unless a test overrides them. */
export async function testConfig(env: Record<string, string> = {}): Promise<Config> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-test-'));
  tempRoots.push(root);
  return loadConfig(
    {
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECRET_KEY: randomBytes(32).toString('hex'),
      BCRYPT_COST: '10',
      DATA_DIR: path.join(root, 'data'),
      MODELS_DIR: path.join(root, 'models'),
      DATASETS_DIR: path.join(root, 'datasets'),
      CHECKPOINTS_DIR: path.join(root, 'checkpoints'),
      FRONTEND_DIST: path.join(root, 'no-frontend'),
      RATE_LIMIT_MAX: '100000',
      AUTH_RATE_LIMIT_MAX: '100000',
      LOG_LEVEL: 'silent',
      // A port nothing listens on: a test that forgets to point at its mirror fails fast instead of going online.
      HF_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      ...env,
    },
    root,
  );
}

export interface TestApp {
  app: Express;
  config: Config;
  pool: Pool;
  auth: AuthService;
  services: Services;
  close(): Promise<void>;
}

/** buildApp with every real service on a fresh database; background runners started. */
export async function buildTestApp(env: Record<string, string> = {}, opts: { notifier?: Notifier; pool?: Pool; config?: Config; start?: boolean } = {}): Promise<TestApp> {
  // Passing the pool and config of an earlier app simulates a restart on the same database and folders.
  const db = opts.pool ? null : await createTestDatabase();
  const pool = opts.pool ?? db!.pool;
  const config = opts.config ?? (await testConfig(env));
  const auth = createAuthService(config, pool);
  const services = createServices({ config, pool, logger: testLogger, auth, notifier: opts.notifier ?? silentNotifier(), dbMode: 'embedded' });
  const app = buildApp({ config, logger: testLogger, services });
  if (opts.start !== false) await services.start();
  return {
    app,
    config,
    pool,
    auth,
    services,
    close: async () => {
      await services.stop();
      await db?.drop();
    },
  };
}

/** A listening server with Socket.IO, for realtime tests. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestApp & { url: string; notifier: Notifier; http: Server }> {
  const db = await createTestDatabase();
  const config = await testConfig(env);
  const auth = createAuthService(config, db.pool);
  const { http, mount } = createMountableServer();
  const realtime = attachRealtime(http, { auth, logger: testLogger, corsOrigins: [] });
  const services = createServices({ config, pool: db.pool, logger: testLogger, auth, notifier: realtime, dbMode: 'embedded' });
  const app = buildApp({ config, logger: testLogger, services });
  mount(app);
  await services.start();
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    app,
    config,
    pool: db.pool,
    auth,
    services,
    url,
    http,
    notifier: realtime,
    close: async () => {
      await services.stop();
      await realtime.close();
      await db.drop();
    },
  };
}

let userCounter = 0;
/** Registers a fresh user through the API and returns its token. */
export async function registerUser(app: Express, over: Partial<{ email: string; username: string; password: string }> = {}): Promise<AuthResponse & { password: string }> {
  userCounter += 1;
  const tag = `${process.pid}${userCounter}${randomBytes(2).toString('hex')}`;
  const body = {
    email: over.email ?? `user${tag}@example.com`,
    username: over.username ?? `user${tag}`,
    password: over.password ?? 'رمز-عبور-امن-۱۲۳۴',
  };
  const res = await request(app).post('/api/auth/register').send(body);
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...(res.body as AuthResponse), password: body.password };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
