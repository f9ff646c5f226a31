import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestServer } from './helpers.js';

// Socket.IO's HTTP long-polling transport, driven by hand: what a browser behind a WebSocket-blocking proxy uses.
type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const pollUrl = (sid?: string) => `${s.url}/socket.io/?EIO=4&transport=polling${sid ? `&sid=${encodeURIComponent(sid)}` : ''}`;

async function handshake(): Promise<string> {
  const res = await fetch(pollUrl());
  expect(res.status).toBe(200);
  const body = await res.text();
  // Engine.IO v4 open packet: "0" + JSON.
  expect(body.startsWith('0')).toBe(true);
  const open = JSON.parse(body.slice(1)) as { sid: string; upgrades: string[] };
  expect(open.sid).toMatch(/^[\w-]{10,}$/);
  return open.sid;
}

async function post(sid: string, packet: string): Promise<Response> {
  return fetch(pollUrl(sid), { method: 'POST', body: packet, headers: { 'Content-Type': 'text/plain;charset=UTF-8' } });
}

async function healthy(): Promise<number> {
  return (await fetch(`${s.url}/api/health`)).status;
}

describe('Socket.IO over HTTP long-polling', () => {
  it('handshakes, connects with a token, receives on the long-poll and closes', async () => {
    const u = await registerUser(s.app);
    const sid = await handshake();
    const connect = await post(sid, `40${JSON.stringify({ token: u.token })}`);
    expect(connect.status).toBe(200);
    expect(await connect.text()).toBe('ok');
    const poll = await fetch(pollUrl(sid));
    expect(poll.status).toBe(200);
    // Socket.IO CONNECT ack to the main namespace: "40" + {"sid": ...}; only engine.io wrote this response.
    const ack = await poll.text();
    expect(ack).toMatch(/^40\{"sid":"[\w-]+"\}$/);
    expect(poll.headers.get('x-request-id')).toBeNull();

    // An event for this user arrives on the next long-poll.
    const next = fetch(pollUrl(sid));
    s.notifier.notifyUser(u.user.id, 'download:error', { id: 'polled', code: 'IO_ERROR', message: 'x' });
    const event = await (await next).text();
    expect(event).toBe(`42${JSON.stringify(['download:error', { id: 'polled', code: 'IO_ERROR', message: 'x' }])}`);

    // Engine.IO close packet ends the session; the sid is then unknown.
    expect((await post(sid, '1')).status).toBe(200);
    const after = await fetch(pollUrl(sid));
    expect(after.status).toBe(400);
    expect(await healthy()).toBe(200);
  });

  it('survives a POST answered while a long-poll is pending (the three-request crash)', async () => {
    const sid = await handshake();
    const longPoll = fetch(pollUrl(sid));
    // The long-poll is parked on the server once a POST can be answered for the same sid.
    const posted = await post(sid, '40');
    expect(posted.status).toBe(200);
    const res = await longPoll;
    expect(res.status).toBe(200);
    const body = await res.text();
    // No token: the namespace refuses with a CONNECT_ERROR packet, written by engine.io alone (no Express error page).
    expect(body).toBe('44{"message":"UNAUTHENTICATED"}');
    expect(body).not.toMatch(/<html|\bat \/|node_modules/i);
    expect(await healthy()).toBe(200);
    // And the same again, many times over, in parallel: the process keeps answering.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const id = await handshake();
        const lp = fetch(pollUrl(id));
        await post(id, '40');
        await (await lp).text();
      }),
    );
    expect(await healthy()).toBe(200);
  });

  it('answers non-Socket.IO requests with the app, and unknown sids with engine.io errors, never a stack', async () => {
    const bad = await fetch(pollUrl('not-a-session'));
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(JSON.parse(text)).toEqual({ code: 1, message: 'Session ID unknown' });
    const api = await fetch(`${s.url}/api/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});
