import jwt from 'jsonwebtoken';
import { io as connect, type Socket } from 'socket.io-client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, registerUser, startTestServer } from './helpers.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
const open: Socket[] = [];

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  for (const c of open) c.close();
  await s.close();
});

function socket(token?: string): Socket {
  const c = connect(s.url, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true });
  open.push(c);
  return c;
}

function outcome(c: Socket): Promise<'connected' | string> {
  return new Promise((resolve) => {
    c.once('connect', () => resolve('connected'));
    c.once('connect_error', (e) => resolve(e.message));
  });
}

describe('Socket.IO', () => {
  it('refuses a missing, forged, expired or none-algorithm token with connect_error', async () => {
    const u = await registerUser(s.app);
    const claims = jwt.decode(u.token) as jwt.JwtPayload;
    const forged = jwt.sign({ role: 'user', ver: claims.ver }, 'not-the-secret-but-long-enough-000000', { subject: u.user.id, issuer: 'sokhan', audience: 'sokhan-app' });
    const none = jwt.sign({ role: 'user', ver: claims.ver }, '', { algorithm: 'none', subject: u.user.id, issuer: 'sokhan', audience: 'sokhan-app' });
    const expired = jwt.sign({ role: 'user', ver: claims.ver, exp: Math.floor(Date.now() / 1000) - 5 }, s.config.JWT_SECRET, { subject: u.user.id, issuer: 'sokhan', audience: 'sokhan-app' });
    expect(await outcome(socket())).toBe('UNAUTHENTICATED');
    expect(await outcome(socket(forged))).toBe('UNAUTHENTICATED');
    expect(await outcome(socket(none))).toBe('UNAUTHENTICATED');
    expect(await outcome(socket(expired))).toBe('TOKEN_EXPIRED');
  });

  it("delivers a user's events to that user's sockets only, whatever a client asks", async () => {
    const a = await registerUser(s.app);
    const b = await registerUser(s.app);
    const sa = socket(a.token);
    const sb = socket(b.token);
    expect(await outcome(sa)).toBe('connected');
    expect(await outcome(sb)).toBe('connected');
    // A client asking to join another room gets nothing: no handler exists for it.
    sb.emit('join' as never, `user:${a.user.id}` as never);
    const got: { who: string; id: string }[] = [];
    sa.on('download:error', (p) => got.push({ who: 'a', id: p.id }));
    sb.on('download:error', (p) => got.push({ who: 'b', id: p.id }));
    await new Promise((r) => setTimeout(r, 100));
    s.notifier.notifyUser(a.user.id, 'download:error', { id: 'for-a', code: 'IO_ERROR', message: 'x' });
    s.notifier.notifyUser(b.user.id, 'download:error', { id: 'for-b', code: 'IO_ERROR', message: 'y' });
    await new Promise((r) => setTimeout(r, 300));
    expect(got.sort((x, y) => x.who.localeCompare(y.who))).toEqual([
      { who: 'a', id: 'for-a' },
      { who: 'b', id: 'for-b' },
    ]);
    const status = await request(s.app).get('/api/system/status').set(bearer(a.token));
    expect(status.body.sockets.connected).toBeGreaterThanOrEqual(2);
  });
});
