import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { createAuthService } from './modules/auth/auth.factory.js';
import type { Database } from './platform/db/database.js';
import { listen } from './platform/http/http-server.js';
import type { Logger } from './platform/logger.js';
import { detachedRealtime } from './platform/realtime/realtime.js';
import type { RunningServer } from './server.js';
import { createServices } from './services.js';

/**
 * Role worker: the background jobs (downloads, training) on the shared database, events sent through the Socket.IO
 * PostgreSQL adapter to whichever API instance holds the user's sockets, and one small endpoint, GET /health on
 * WORKER_HEALTH_PORT, for the machine's monitor. No app, no sockets.
 */
export async function startWorker(config: Config, logger: Logger, db: Database, onLeaseLost: () => void): Promise<RunningServer> {
  const auth = createAuthService(config, db.pool);
  const realtime = detachedRealtime(db.pool, logger);
  const services = createServices({ config, pool: db.pool, logger, auth, notifier: realtime, dbMode: db.mode, onLeaseLost });
  const http = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || req.url !== '/health') return send(404, { error: { code: 'NOT_FOUND', message: 'a worker answers GET /health only' } });
    services.system.health().then(
      (h) => send(h.db === 'up' ? 200 : 503, { ...h, role: 'worker' }),
      () => send(503, { status: 'degraded', db: 'down', role: 'worker' }),
    );
  });
  await listen(http, config.WORKER_HEALTH_PORT, config.HOST).catch(async (err: unknown) => {
    await realtime.close();
    await db.close();
    throw err;
  });
  await services.start();
  const port = (http.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      const done = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      // Training pauses at a checkpoint and goes back to the queue; downloads stop and are taken over.
      await services.stop();
      await realtime.close();
      await done;
      await db.close();
    })());
  return { url: `http://localhost:${port}/health`, port, http, db, close };
}
