import { createServer, type RequestListener, type Server } from 'node:http';

export interface MountableServer {
  http: Server;
  /** Hands every non-Socket.IO request to `app` from now on. */
  mount(app: RequestListener): void;
}

/**
 * The HTTP server, with its one request listener registered before Socket.IO attaches.
 * engine.io takes `/socket.io/` requests away only from the listeners present when it attaches; a listener added
 * later would answer them too, and two writers on one long-poll response crash the process (ERR_HTTP_HEADERS_SENT).
 * The app is built after Socket.IO (its services need the notifier), so it is mounted into this listener later.
 */
export function createMountableServer(): MountableServer {
  let app: RequestListener | null = null;
  const http = createServer((req, res) => {
    if (app) return void app(req, res);
    res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '1' });
    res.end(JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'server is starting' } }));
  });
  return {
    http,
    mount: (next) => {
      app = next;
    },
  };
}

/** Listens on port (0: any free one) at host; rejects when it cannot (the port taken, the address not ours). */
export function listen(http: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
}
