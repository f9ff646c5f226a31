import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@sokhan/common';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the header shows: live, trying to get back, or not trying any more (refused or browser offline). */
export type ConnectionState = 'connected' | 'reconnecting' | 'offline';

export interface SocketOptions {
  token: string;
  url?: string;
  /** Tests use a short delay so a dropped server is noticed quickly. */
  reconnectionDelayMax?: number;
}

export function createSocket({ token, url, reconnectionDelayMax = 5000 }: SocketOptions): AppSocket {
  const opts = {
    auth: { token },
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    reconnectionDelay: 500,
    reconnectionDelayMax,
    autoConnect: true,
  };
  return url ? io(url, opts) : io(opts);
}

/**
 * Follows a socket's state. socket.io keeps retrying after network drops (`socket.active` stays true)
 * but gives up when the server refuses the handshake (a bad or expired token): that is "offline".
 */
export function watchConnection(socket: AppSocket, onChange: (state: ConnectionState) => void): () => void {
  const browserOffline = () => typeof navigator !== 'undefined' && navigator.onLine === false;
  const compute = (): ConnectionState => {
    if (socket.connected) return 'connected';
    if (browserOffline() || !socket.active) return 'offline';
    return 'reconnecting';
  };
  let last: ConnectionState | null = null;
  const update = () => {
    const next = compute();
    if (next !== last) {
      last = next;
      onChange(next);
    }
  };
  const manager = socket.io;
  socket.on('connect', update);
  socket.on('disconnect', update);
  socket.on('connect_error', update);
  manager.on('reconnect_attempt', update);
  manager.on('reconnect_failed', update);
  const onNetwork = () => update();
  if (typeof window !== 'undefined') {
    window.addEventListener('online', onNetwork);
    window.addEventListener('offline', onNetwork);
  }
  update();
  return () => {
    socket.off('connect', update);
    socket.off('disconnect', update);
    socket.off('connect_error', update);
    manager.off('reconnect_attempt', update);
    manager.off('reconnect_failed', update);
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', onNetwork);
      window.removeEventListener('offline', onNetwork);
    }
  };
}
