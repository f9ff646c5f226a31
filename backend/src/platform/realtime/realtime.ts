import type { Server as HttpServer } from 'node:http';
import type { ClientToServerEvents, ServerEventName, ServerEventPayload, ServerToClientEvents } from '@sokhan/common';
import { createAdapter } from '@socket.io/postgres-adapter';
import { Server } from 'socket.io';
import type { AuthService } from '../../modules/auth/auth.service.js';
import type { Pool } from '../db/pool.js';
import type { Logger } from '../logger.js';

/** What features call to tell a user something; the only way events leave the server. */
export interface Notifier {
  notifyUser<E extends ServerEventName>(userId: string, event: E, payload: ServerEventPayload<E>): void;
  connectedCount(): number;
}

export const userRoom = (userId: string) => `user:${userId}`;

export interface RealtimeOptions {
  auth: AuthService;
  logger: Logger;
  /** Same allowlist as HTTP CORS; same-origin always works. */
  corsOrigins: string[];
  /**
   * With several processes: events travel between them through this database (@socket.io/postgres-adapter, over
   * LISTEN/NOTIFY), so an event emitted anywhere reaches the user's sockets on every API instance.
   */
  shared?: Pool;
}

/** The Socket.IO PostgreSQL adapter on our pool; large events go through socket_io_attachments (migration 010). */
function postgresAdapter(pool: Pool, logger: Logger) {
  return createAdapter(pool, { errorHandler: (err) => logger.warn({ err: err.message }, 'Socket.IO PostgreSQL adapter error') });
}

export function attachRealtime(httpServer: HttpServer, opts: RealtimeOptions): Notifier & { io: Server; close(): Promise<void> } {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    serveClient: false,
    cors: { origin: opts.corsOrigins, credentials: false },
    maxHttpBufferSize: 16 * 1024,
    ...(opts.shared ? { adapter: postgresAdapter(opts.shared, opts.logger) } : {}),
  });
  // The JWT comes in the handshake; a missing, bad or expired token never gets a connection.
  io.use((socket, next) => {
    const token: unknown = socket.handshake.auth?.token;
    if (typeof token !== 'string' || token.length === 0) return next(new Error('UNAUTHENTICATED'));
    opts.auth
      .authenticate(token)
      .then((user) => {
        socket.data.userId = user.id;
        next();
      })
      .catch((err: { code?: string }) => next(new Error(err.code ?? 'UNAUTHENTICATED')));
  });
  io.on('connection', (socket) => {
    // The only room a socket ever joins; the event map gives clients nothing that could change it.
    void socket.join(userRoom(String(socket.data.userId)));
  });
  return {
    io: io as unknown as Server,
    notifyUser(userId, event, payload) {
      (io.to(userRoom(userId)).emit as (e: string, p: unknown) => boolean)(event, payload);
    },
    connectedCount: () => io.engine.clientsCount,
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  };
}

/**
 * A worker's notifier: a Socket.IO server with no HTTP server and no sockets of its own, on the PostgreSQL adapter.
 * What it emits to `user:<id>` reaches that user's sockets on every API instance.
 */
export function detachedRealtime(pool: Pool, logger: Logger): Notifier & { close(): Promise<void> } {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>({ serveClient: false, adapter: postgresAdapter(pool, logger) });
  return {
    notifyUser(userId, event, payload) {
      (io.to(userRoom(userId)).emit as (e: string, p: unknown) => boolean)(event, payload);
    },
    connectedCount: () => 0,
    // io.close() expects an engine (an HTTP server) this one never had; only its adapter holds anything.
    close: async () => {
      await io.of('/').adapter.close();
    },
  };
}

/** A notifier with no sockets, for scripts and apps built without an HTTP server. */
export function silentNotifier(): Notifier {
  return { notifyUser: () => undefined, connectedCount: () => 0 };
}
