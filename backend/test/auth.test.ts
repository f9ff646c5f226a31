import jwt from 'jsonwebtoken';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ ADMIN_EMAIL: 'boss@example.com' });
});
afterAll(() => t.close());

describe('register and login', () => {
  it('registers, answers 201 with a user and a working token, never the hash', async () => {
    const res = await request(t.app)
      .post('/api/auth/register')
      .send({ email: 'Sara@Example.com', username: 'sara_fa', password: 'گذرواژه‌ی-خیلی-امن' });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email: 'sara@example.com', username: 'sara_fa', role: 'user' });
    expect(JSON.stringify(res.body)).not.toContain('password');
    const me = await request(t.app).get('/api/auth/me').set(bearer(res.body.token));
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(res.body.user.id);
  });

  it('refuses a duplicate email case-insensitively and a duplicate username', async () => {
    await registerUser(t.app, { email: 'dup@example.com', username: 'dup_one' });
    const e = await request(t.app).post('/api/auth/register').send({ email: 'DUP@example.com', username: 'other1', password: 'password-123' });
    expect(e.status).toBe(409);
    expect(e.body.error.code).toBe('EMAIL_TAKEN');
    const u = await request(t.app).post('/api/auth/register').send({ email: 'x1@example.com', username: 'DUP_ONE', password: 'password-123' });
    expect(u.status).toBe(409);
    expect(u.body.error.code).toBe('USERNAME_TAKEN');
  });

  it('ignores a role in the body and makes ADMIN_EMAIL the admin', async () => {
    const sneaky = await request(t.app).post('/api/auth/register').send({ email: 'a@example.com', username: 'sneaky', password: 'password-123', role: 'admin' });
    expect(sneaky.status).toBe(400);
    expect(sneaky.body.error.code).toBe('VALIDATION_FAILED');
    const boss = await registerUser(t.app, { email: 'boss@example.com' });
    expect(boss.user.role).toBe('admin');
  });

  it('logs in by email or username; unknown user and wrong password answer identically', async () => {
    const u = await registerUser(t.app);
    const byEmail = await request(t.app).post('/api/auth/login').send({ login: u.user.email.toUpperCase(), password: u.password });
    expect(byEmail.status).toBe(200);
    const byName = await request(t.app).post('/api/auth/login').send({ login: u.user.username, password: u.password });
    expect(byName.status).toBe(200);
    const wrong = await request(t.app).post('/api/auth/login').send({ login: u.user.username, password: 'nope-nope-nope' });
    const unknown = await request(t.app).post('/api/auth/login').send({ login: 'ghost-user', password: 'nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  it('counts every byte of a long Persian password (past bcrypt’s 72 bytes)', async () => {
    const base = 'سلام'.repeat(20); // 160 bytes in UTF-8
    const u = await registerUser(t.app, { password: base + 'الف' });
    const sameStart = await request(t.app).post('/api/auth/login').send({ login: u.user.username, password: base + 'ب' });
    expect(sameStart.status).toBe(401);
    const right = await request(t.app).post('/api/auth/login').send({ login: u.user.username, password: base + 'الف' });
    expect(right.status).toBe(200);
  });

  it('treats SQL metacharacters as plain text', async () => {
    const res = await request(t.app).post('/api/auth/login').send({ login: "' OR 1=1; DROP TABLE users; --", password: 'x' });
    expect(res.status).toBe(401);
    const count = await t.pool.query('SELECT count(*)::int AS n FROM users');
    expect(count.rows[0].n).toBeGreaterThan(0);
  });
});

describe('tokens', () => {
  it('refuses missing, alg none, wrong algorithm, wrong secret, tampered, expired and wrong-audience tokens', async () => {
    const u = await registerUser(t.app);
    const claims = jwt.decode(u.token) as jwt.JwtPayload;
    const secret = t.config.JWT_SECRET;
    const opts = { subject: u.user.id, issuer: 'sokhan', audience: 'sokhan-app' };
    const payload = { role: 'admin', ver: claims.ver };
    const none = jwt.sign(payload, '', { ...opts, algorithm: 'none' });
    const hs512 = jwt.sign(payload, secret, { ...opts, algorithm: 'HS512' });
    const otherSecret = jwt.sign(payload, 'x'.repeat(40), { ...opts, algorithm: 'HS256' });
    const [h, , s] = u.token.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const tampered = `${h}.${forgedBody}.${s}`;
    const expired = jwt.sign({ ...payload, exp: Math.floor(Date.now() / 1000) - 10 }, secret, { subject: u.user.id, issuer: 'sokhan', audience: 'sokhan-app', algorithm: 'HS256' });
    const wrongAud = jwt.sign(payload, secret, { ...opts, audience: 'elsewhere', algorithm: 'HS256' });

    expect((await request(t.app).get('/api/auth/me')).status).toBe(401);
    for (const bad of [none, hs512, otherSecret, tampered, wrongAud, 'not.a.jwt']) {
      const res = await request(t.app).get('/api/auth/me').set(bearer(bad));
      expect(res.status, bad).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    const exp = await request(t.app).get('/api/auth/me').set(bearer(expired));
    expect(exp.status).toBe(401);
    expect(exp.body.error.code).toBe('TOKEN_EXPIRED');
  });

  it('refuses a well-signed token without an expiry, or whose subject is not a user id, with 401 (never 500)', async () => {
    const u = await registerUser(t.app);
    const claims = jwt.decode(u.token) as jwt.JwtPayload;
    const secret = t.config.JWT_SECRET;
    const base = { issuer: 'sokhan', audience: 'sokhan-app', algorithm: 'HS256' as const };
    const noExp = jwt.sign({ role: 'user', ver: claims.ver }, secret, { ...base, subject: u.user.id });
    expect((jwt.decode(noExp) as jwt.JwtPayload).exp).toBeUndefined();
    const bad = [
      noExp,
      jwt.sign({ role: 'user', ver: claims.ver }, secret, { ...base, subject: 'admin', expiresIn: 600 }),
      jwt.sign({ role: 'user', ver: claims.ver }, secret, { ...base, subject: "1' OR '1'='1", expiresIn: 600 }),
      jwt.sign({ role: 'user', ver: claims.ver }, secret, { ...base, subject: `${u.user.id}x`, expiresIn: 600 }),
      jwt.sign({ role: 'user', ver: 0.5 }, secret, { ...base, subject: u.user.id, expiresIn: 600 }),
    ];
    for (const token of bad) {
      const res = await request(t.app).get('/api/auth/me').set(bearer(token));
      expect([res.status, res.body.error.code], token).toEqual([401, 'UNAUTHENTICATED']);
    }
    // The same claims with an expiry and the real id are accepted: the refusals above are about exp and sub alone.
    const good = jwt.sign({ role: 'user', ver: claims.ver }, secret, { ...base, subject: u.user.id, expiresIn: 600 });
    expect((await request(t.app).get('/api/auth/me').set(bearer(good))).status).toBe(200);
  });

  it('stops tokens issued before a password change', async () => {
    const u = await registerUser(t.app);
    const wrong = await request(t.app).post('/api/auth/password').set(bearer(u.token)).send({ currentPassword: 'wrong-one', newPassword: 'a-new-password-1' });
    expect(wrong.status).toBe(400);
    const ok = await request(t.app).post('/api/auth/password').set(bearer(u.token)).send({ currentPassword: u.password, newPassword: 'a-new-password-1' });
    expect(ok.status).toBe(200);
    expect((await request(t.app).get('/api/auth/me').set(bearer(u.token))).status).toBe(401);
    expect((await request(t.app).get('/api/auth/me').set(bearer(ok.body.token))).status).toBe(200);
    const relog = await request(t.app).post('/api/auth/login').send({ login: u.user.email, password: 'a-new-password-1' });
    expect(relog.status).toBe(200);
  });
});
