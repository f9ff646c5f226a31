/**
 * `npm run verify:api`: checks every endpoint of a running server. With BASE_URL it uses that server; otherwise it
 * starts one on a free port with a fresh database and folders (and a Hub mirror on loopback) and stops it after.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Checks, assert } from './lib/checks.js';
import { call } from './lib/http.js';

const checks = new Checks('verify:api');

async function ownServer(): Promise<{ base: string; stop(): Promise<void> }> {
  const { loadConfig } = await import('../backend/src/config.js');
  const { createLogger } = await import('../backend/src/platform/logger.js');
  const { startServer } = await import('../backend/src/server.js');
  const { freePort } = await import('../backend/test/ports.js');
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-verify-api-'));
  await fs.chmod(root, 0o755); // the embedded server runs as the postgres user when we are root
  const mirror = await startMirror(root);
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: path.join(root, 'data'),
      MODELS_DIR: path.join(root, 'models'),
      DATASETS_DIR: path.join(root, 'datasets'),
      CHECKPOINTS_DIR: path.join(root, 'checkpoints'),
      EMBEDDED_PG_PORT: String(await freePort()),
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECRET_KEY: randomBytes(32).toString('hex'),
      BCRYPT_COST: '10',
      LOG_LEVEL: 'warn',
      ...(mirror ? { HF_ENDPOINT: mirror.url } : {}),
    },
    process.cwd(),
  );
  const server = await startServer(config, createLogger('warn'));
  return {
    base: `http://127.0.0.1:${server.port}`,
    stop: async () => {
      await server.close();
      await mirror?.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

async function startMirror(root: string): Promise<{ url: string; close(): Promise<void> } | null> {
  try {
    const { startHubMirror } = await import('./hub-mirror/server.js');
    const { buildFixtureRepos } = await import('./hub-mirror/fixtures.js');
    const dir = path.join(root, 'hub');
    await buildFixtureRepos(dir);
    return await startHubMirror({ dir });
  } catch (err) {
    console.log(`(no hub mirror: ${(err as Error).message})`);
    return null;
  }
}

const external = process.env.BASE_URL;
const server = external ? { base: external.replace(/\/$/, ''), stop: async () => undefined } : await ownServer();
const base = server.base;
const ctx: { token?: string; userId?: string } = {};
const tag = randomBytes(4).toString('hex');

try {
  await checks.step('GET /api/health → 200 {status ok, db up}', async () => {
    const r = await call(base, 'GET', '/api/health');
    assert(r.status === 200 && r.body.status === 'ok' && r.body.db === 'up', `got ${r.status} ${JSON.stringify(r.body)}`);
    assert(r.headers.get('x-request-id'), 'no X-Request-Id header');
    assert(r.headers.get('content-security-policy'), 'no CSP header');
    return `version ${r.body.version}`;
  });
  await checks.step('POST /api/auth/register → 201 {user, token}', async () => {
    const r = await call(base, 'POST', '/api/auth/register', { body: { email: `verify-${tag}@example.com`, username: `verify_${tag}`, password: 'گذرواژه-آزمون-۱۲۳' } });
    assert(r.status === 201 && r.body.token && r.body.user.role === 'user', `got ${r.status} ${JSON.stringify(r.body)}`);
    ctx.userId = r.body.user.id;
  });
  await checks.step('POST /api/auth/register with bad fields → 400 VALIDATION_FAILED with details', async () => {
    const r = await call(base, 'POST', '/api/auth/register', { body: { email: 'nope', username: 'a', password: 1 } });
    assert(r.status === 400 && r.body.error.code === 'VALIDATION_FAILED' && r.body.error.details.length >= 3, `got ${r.status} ${JSON.stringify(r.body)}`);
  });
  await checks.step('POST /api/auth/login → 200 {user, token}', async () => {
    const r = await call(base, 'POST', '/api/auth/login', { body: { login: `verify_${tag}`, password: 'گذرواژه-آزمون-۱۲۳' } });
    assert(r.status === 200 && r.body.token, `got ${r.status}`);
    ctx.token = r.body.token;
  });
  await checks.step('POST /api/auth/login wrong password → 401 INVALID_CREDENTIALS', async () => {
    const r = await call(base, 'POST', '/api/auth/login', { body: { login: `verify_${tag}`, password: 'wrong-password' } });
    assert(r.status === 401 && r.body.error.code === 'INVALID_CREDENTIALS', `got ${r.status}`);
  });
  await checks.step('GET /api/auth/me → 200 (and 401 without a token)', async () => {
    const r = await call(base, 'GET', '/api/auth/me', { token: ctx.token });
    assert(r.status === 200 && r.body.user.id === ctx.userId, `got ${r.status}`);
    const anon = await call(base, 'GET', '/api/auth/me');
    assert(anon.status === 401 && anon.body.error.code === 'UNAUTHENTICATED', `anonymous got ${anon.status}`);
  });
  await checks.step('GET /api/settings → 200 defaults', async () => {
    const r = await call(base, 'GET', '/api/settings', { token: ctx.token });
    assert(r.status === 200 && r.body.huggingface.hasToken === false, `got ${r.status} ${JSON.stringify(r.body)}`);
  });
  await checks.step('POST /api/settings {language: en} → 200 and persisted', async () => {
    const r = await call(base, 'POST', '/api/settings', { token: ctx.token, body: { language: 'en' } });
    assert(r.status === 200 && r.body.preferences.language === 'en', `got ${r.status}`);
    const again = await call(base, 'GET', '/api/settings', { token: ctx.token });
    assert(again.body.preferences.language === 'en', 'not persisted');
    const bad = await call(base, 'POST', '/api/settings', { token: ctx.token, body: { language: 'xx' } });
    assert(bad.status === 400, `bad language got ${bad.status}`);
  });
  await checks.step('GET /api/system/status → 200 with database, tensorflow, disk, sockets', async () => {
    const r = await call(base, 'GET', '/api/system/status', { token: ctx.token });
    assert(r.status === 200 && r.body.database.serverVersion && r.body.tensorflow.backend, `got ${r.status}`);
    return `postgres ${r.body.database.serverVersion} (${r.body.database.mode}), tfjs ${r.body.tensorflow.backend}, pool max ${r.body.database.pool.max}`;
  });
  await checks.step('malformed JSON → 400 MALFORMED_JSON without echoing the body', async () => {
    const r = await call(base, 'POST', '/api/auth/login', { body: '{"login": "secret-echo', headers: { 'Content-Type': 'application/json' } });
    assert(r.status === 400 && r.body.error.code === 'MALFORMED_JSON' && !JSON.stringify(r.body).includes('secret-echo'), `got ${r.status}`);
  });
  await checks.step('non-JSON body → 415', async () => {
    const r = await call(base, 'POST', '/api/auth/login', { body: 'login=a', headers: { 'Content-Type': 'text/plain' } });
    assert(r.status === 415 && r.body.error.code === 'UNSUPPORTED_MEDIA_TYPE', `got ${r.status}`);
  });
  await checks.step('oversized JSON body → 413', async () => {
    const r = await call(base, 'POST', '/api/auth/login', { body: { login: 'x'.repeat(2_000_000), password: 'x' } });
    assert(r.status === 413 && r.body.error.code === 'PAYLOAD_TOO_LARGE', `got ${r.status}`);
  });
  await checks.step('unknown API route → 404 JSON', async () => {
    const r = await call(base, 'GET', '/api/does-not-exist');
    assert(r.status === 404 && r.body.error.code === 'NOT_FOUND', `got ${r.status}`);
  });
  await checks.step('GET / serves the Persian SPA (lang=fa dir=rtl)', async () => {
    const r = await fetch(base + '/');
    const html = await r.text();
    assert(r.status === 200 && /<html[^>]*lang="fa"[^>]*dir="rtl"/.test(html), `got ${r.status}`);
  });
} finally {
  await server.stop();
}
process.exit(checks.summary());
