import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { createSocket, watchConnection, type AppSocket, type ConnectionState } from './socket';

// A real Socket.IO server on loopback that admits one token, like the API's handshake check.
async function startServer(): Promise<{ http: HttpServer; io: Server; url: string }> {
  const http = createServer();
  const io = new Server(http);
  io.use((socket, next) => (socket.handshake.auth.token === 'good' ? next() : next(new Error('unauthorized'))));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { http, io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

function track(socket: AppSocket) {
  const states: ConnectionState[] = [];
  const stop = watchConnection(socket, (s) => states.push(s));
  const until = (state: ConnectionState, ms = 5000) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const tick = () => {
        if (states[states.length - 1] === state) resolve();
        else if (Date.now() - started > ms) reject(new Error(`never ${state}: ${states.join(' → ')}`));
        else setTimeout(tick, 20);
      };
      tick();
    });
  return { states, stop, until };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('watchConnection', () => {
  it('goes connected, then reconnecting when the server drops, then connected again', async () => {
    const server = await startServer();
    cleanups.push(() => new Promise<void>((r) => server.io.close(() => r())));
    const socket = createSocket({ token: 'good', url: server.url, reconnectionDelayMax: 200 });
    cleanups.push(() => void socket.disconnect());
    const t = track(socket);
    await t.until('connected');
    // Cut the transport (as a network drop does): the client keeps trying.
    for (const s of server.io.sockets.sockets.values()) s.conn.close();
    await t.until('reconnecting');
    await t.until('connected');
    t.stop();
    expect(t.states).toEqual(['reconnecting', 'connected', 'reconnecting', 'connected']);
  });

  it('is offline when the server refuses the token', async () => {
    const server = await startServer();
    cleanups.push(() => new Promise<void>((r) => server.io.close(() => r())));
    const socket = createSocket({ token: 'forged', url: server.url, reconnectionDelayMax: 200 });
    cleanups.push(() => void socket.disconnect());
    const t = track(socket);
    await t.until('offline');
    t.stop();
  });

  it('is offline when the server ends the session', async () => {
    const server = await startServer();
    cleanups.push(() => new Promise<void>((r) => server.io.close(() => r())));
    const socket = createSocket({ token: 'good', url: server.url, reconnectionDelayMax: 200 });
    cleanups.push(() => void socket.disconnect());
    const t = track(socket);
    await t.until('connected');
    server.io.disconnectSockets();
    await t.until('offline');
    t.stop();
  });

  it('is offline after an explicit disconnect (sign-out)', async () => {
    const server = await startServer();
    cleanups.push(() => new Promise<void>((r) => server.io.close(() => r())));
    const socket = createSocket({ token: 'good', url: server.url });
    const t = track(socket);
    await t.until('connected');
    socket.disconnect();
    await t.until('offline');
    t.stop();
  });
});
