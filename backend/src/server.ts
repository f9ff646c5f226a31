import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildApp, type Lifecycle } from './app.js';
import type { Config } from './config.js';
import { createAuthService } from './modules/auth/auth.factory.js';
import { openDatabase, type Database } from './platform/db/database.js';
import { createMountableServer, listen } from './platform/http/http-server.js';
import type { Logger } from './platform/logger.js';
import { PostgresRateLimitStore } from './platform/http/rate-limit-store.js';
import { attachRealtime } from './platform/realtime/realtime.js';
import { checkStorage } from './platform/storage-check.js';
import { createServices } from './services.js';
import { startWorker } from './worker.js';

export interface RunningServer {
  url: string;
  port: number;
  http: Server;
  db: Database;
  /** Graceful: refuse new requests (503), let in-flight ones finish, stop runners, close sockets and the database. */
  close(): Promise<void>;
}

/**
 * config → storage → database → migrations → http + io → runners. Role worker has no http app: see startWorker.
 * `onLeaseLost`: another worker found this one dead and took its jobs (the caller exits).
 */
export async function startServer(config: Config, logger: Logger, onLeaseLost: () => void = () => undefined): Promise<RunningServer> {
  const { models, datasets, checkpoints, data } = config.paths;
  await checkStorage({ MODELS_DIR: models, DATASETS_DIR: datasets, CHECKPOINTS_DIR: checkpoints, 'speech history (DATA_DIR/tts)': path.join(data, 'tts') });
  const db = await openDatabase(config, logger);
  if (config.SOKHAN_ROLE === 'worker') return startWorker(config, logger, db, onLeaseLost);
  const { http, mount } = createMountableServer();
  const auth = createAuthService(config, db.pool);
  const shared = config.shared ? db.pool : undefined;
  const realtime = attachRealtime(http, { auth, logger, corsOrigins: config.CORS_ORIGINS, shared });
  const lifecycle: Lifecycle = { draining: false };
  const services = createServices({ config, pool: db.pool, logger, auth, notifier: realtime, dbMode: db.mode, onLeaseLost });
  const rateLimitStore = shared ? (name: 'api' | 'auth') => new PostgresRateLimitStore(shared, `${name}:`) : undefined;
  const app = buildApp({ config, logger, services, lifecycle, rateLimitStore });
  mount(app);
  http.keepAliveTimeout = 5000;

  await listen(http, config.PORT, config.HOST).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  await services.start();
  const port = (http.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      lifecycle.draining = true;
      const done = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      const timer = setTimeout(() => http.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
      await services.stop();
      await realtime.close();
      await done;
      clearTimeout(timer);
      await db.close();
    })());

  return { url: `http://localhost:${port}`, port, http, db, close };
}
