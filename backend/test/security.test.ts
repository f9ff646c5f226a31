import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ CORS_ORIGINS: 'https://app.sokhan.example', JSON_BODY_LIMIT: '10kb' });
});
afterAll(() => t.close());

describe('HTTP hardening', () => {
  it('sends helmet headers with a CSP that allows the SPA, sockets and wasm', async () => {
    const res = await request(t.app).get('/api/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("'wasm-unsafe-eval'");
    expect(csp).toMatch(/connect-src 'self' ws: wss:/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('gives CORS headers to allowlisted origins only', async () => {
    const ok = await request(t.app).get('/api/health').set('Origin', 'https://app.sokhan.example');
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.sokhan.example');
    const evil = await request(t.app).get('/api/health').set('Origin', 'https://evil.example');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(t.app).options('/api/auth/login').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('echoes a safe X-Request-Id and replaces a hostile one', async () => {
    const mine = await request(t.app).get('/api/health').set('X-Request-Id', 'abc-123');
    expect(mine.headers['x-request-id']).toBe('abc-123');
    const hostile = await request(t.app).get('/api/health').set('X-Request-Id', '<script>alert(1)</script>');
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers malformed JSON with 400 without echoing the body', async () => {
    const res = await request(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send('{"login": "leak-me-please", ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_JSON');
    expect(JSON.stringify(res.body)).not.toContain('leak-me-please');
  });

  it('refuses a body over the limit with 413 and a non-JSON body with 415', async () => {
    const big = await request(t.app).post('/api/auth/login').send({ login: 'x'.repeat(20_000), password: 'y' });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const text = await request(t.app).post('/api/auth/login').set('Content-Type', 'text/plain').send('login=a&password=b');
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a __proto__ key and never pollutes prototypes', async () => {
    const u = await registerUser(t.app);
    const res = await request(t.app)
      .post('/api/settings')
      .set(bearer(u.token))
      .set('Content-Type', 'application/json')
      .send('{"__proto__": {"polluted": true}, "language": "fa"}');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const settings = await request(t.app).get('/api/settings').set(bearer(u.token));
    expect(settings.body.preferences).toEqual({});
  });

  it('answers unknown API routes with the JSON 404 contract', async () => {
    const res = await request(t.app).get('/api/nothing/here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('stores SQL metacharacters as plain text', async () => {
    const u = await registerUser(t.app);
    const hostile = "x'); DROP TABLE users; --";
    await request(t.app).post('/api/settings').set(bearer(u.token)).send({ defaultTtsVoice: hostile }).expect(200);
    const back = await request(t.app).get('/api/settings').set(bearer(u.token));
    expect(back.body.preferences.defaultTtsVoice).toBe(hostile);
    expect((await t.pool.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBeGreaterThan(0);
  });
});

describe('rate limits', () => {
  it('sends standard RateLimit headers and answers 429 past the strict auth limit', async () => {
    const strict = await buildTestApp({ AUTH_RATE_LIMIT_MAX: '3', RATE_LIMIT_MAX: '1000' });
    try {
      const first = await request(strict.app).post('/api/auth/login').send({ login: 'nobody', password: 'x' });
      expect(first.headers['ratelimit-policy']).toMatch(/q=3/);
      expect(first.headers['ratelimit']).toMatch(/r=2/);
      await request(strict.app).post('/api/auth/login').send({ login: 'nobody', password: 'x' });
      await request(strict.app).post('/api/auth/login').send({ login: 'nobody', password: 'x' });
      const limited = await request(strict.app).post('/api/auth/login').send({ login: 'nobody', password: 'x' });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // The general limit is separate and much larger.
      const health = await request(strict.app).get('/api/health');
      expect(health.status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('keeps health out of the API limit, and Retry-After agrees with the RateLimit reset', async () => {
    const small = await buildTestApp({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' });
    try {
      for (let i = 0; i < 3; i++) await request(small.app).get('/api/nope').expect(404);
      // Part of the window has gone by: the answer must count down from the window's start, not restart at its length.
      await new Promise((r) => setTimeout(r, 2100));
      const limited = await request(small.app).get('/api/nope');
      expect(limited.status).toBe(429);
      const t = Number(/t=(\d+)/.exec(String(limited.headers['ratelimit']))?.[1]);
      const retry = Number(limited.headers['retry-after']);
      expect(t).toBeGreaterThan(0);
      expect(t).toBeLessThanOrEqual(58);
      expect(Math.abs(retry - t)).toBeLessThanOrEqual(1);
      // A flood does not make health probes fail.
      for (let i = 0; i < 10; i++) {
        const health = await request(small.app).get('/api/health');
        expect(health.status).toBe(200);
        expect(health.headers['ratelimit']).toBeUndefined();
      }
    } finally {
      await small.close();
    }
  });
});

describe('settings', () => {
  it('merges validated preferences per user and keeps users apart', async () => {
    const a = await registerUser(t.app);
    const b = await registerUser(t.app);
    await request(t.app).post('/api/settings').set(bearer(a.token)).send({ language: 'en' }).expect(200);
    const merged = await request(t.app).post('/api/settings').set(bearer(a.token)).send({ theme: 'dark' });
    expect(merged.body.preferences).toEqual({ language: 'en', theme: 'dark' });
    const other = await request(t.app).get('/api/settings').set(bearer(b.token));
    expect(other.body.preferences).toEqual({});
    const bad = await request(t.app).post('/api/settings').set(bearer(a.token)).send({ language: 'de', admin: true });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['', 'language'].sort());
  });
});

describe('system', () => {
  it('reports database, pool, tensorflow backend, disk and job counts', async () => {
    const u = await registerUser(t.app);
    const res = await request(t.app).get('/api/system/status').set(bearer(u.token));
    expect(res.status).toBe(200);
    expect(res.body.database.mode).toBe('embedded');
    expect(res.body.database.serverVersion).toMatch(/^\d+\.\d+/);
    expect(res.body.database.pool.max).toBe(10);
    expect(['tensorflow', 'wasm', 'cpu']).toContain(res.body.tensorflow.backend);
    expect(res.body.disk.map((d: { folder: string; path: string | null }) => [d.folder, d.path])).toEqual([
      ['data', null],
      ['models', null],
      ['datasets', null],
      ['checkpoints', null],
    ]);
    expect(JSON.stringify(res.body)).not.toContain(t.config.paths.data);
    expect(res.body.memory.rssBytes).toBeGreaterThan(0);
    expect(res.body.sockets.connected).toBe(0);
  });
});

describe('static files', () => {
  it('answers a missing asset with 404 and an unsatisfiable range with 416, never 500', async () => {
    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    const dist = await fs.mkdtemp(path.join((await import('node:os')).tmpdir(), 'sokhan-spa-'));
    await fs.mkdir(path.join(dist, 'assets'));
    await fs.writeFile(path.join(dist, 'index.html'), '<!doctype html><html lang="fa" dir="rtl"></html>');
    await fs.writeFile(path.join(dist, 'assets', 'app-1.js'), 'console.log(1)');
    const spa = await buildTestApp({ FRONTEND_DIST: dist });
    try {
      expect((await request(spa.app).get('/assets/app-1.js')).status).toBe(200);
      const missing = await request(spa.app).get('/assets/nope.js');
      expect([missing.status, missing.body.error.code]).toEqual([404, 'NOT_FOUND']);
      const range = await request(spa.app).get('/assets/app-1.js').set('Range', 'bytes=999999-');
      expect([range.status, range.body.error.code]).toEqual([416, 'RANGE_NOT_SATISFIABLE']);
      const rootRange = await request(spa.app).get('/index.html').set('Range', 'bytes=999999-');
      expect(rootRange.status).toBe(416);
      // A NUL or an overlong-UTF-8 %-escape in a path is the client's error: 400 in the JSON contract, no stack.
      for (const url of ['/assets/%00', '/assets/%c0%ae%c0%ae%c0%af.env', '/assets/%ff']) {
        const bad = await request(spa.app).get(url);
        expect([bad.status, bad.headers['content-type']], url).toEqual([400, 'application/json; charset=utf-8']);
        expect(bad.body.error.code, url).toBe('VALIDATION_FAILED');
        expect(bad.text, url).not.toMatch(/ at |\/work|node_modules|Error:/);
      }
      const deep = await request(spa.app).get('/hub/model/some/thing');
      expect(deep.status).toBe(200);
      expect(deep.text).toContain('dir="rtl"');
    } finally {
      await spa.close();
      await fs.rm(dist, { recursive: true, force: true });
    }
  });
});
