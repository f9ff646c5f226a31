import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../backend/test/ports.js';

/**
 * The body of a bench's server child process: the real server (offline, embedded PostgreSQL) on fresh temp
 * folders, its URL printed as one JSON line; SIGTERM closes it and removes the folders. Benches run it in a child
 * so the parent measures it from outside (RSS, wall time) like any client would. `env` overrides the settings
 * (a bench that downloads from a mirror turns HF_HUB_OFFLINE off and sets HF_ENDPOINT).
 */
export async function serveForBench(tmpPrefix: string, env: Record<string, string> = {}): Promise<void> {
  const { randomBytes } = await import('node:crypto');
  const { loadConfig } = await import('../../backend/src/config.js');
  const { createLogger } = await import('../../backend/src/platform/logger.js');
  const { startServer } = await import('../../backend/src/server.js');
  const root = await fs.mkdtemp(path.join(os.tmpdir(), tmpPrefix));
  // The embedded server runs as an unprivileged user when we are root: it must be able to enter the folder.
  await fs.chmod(root, 0o755);
  const config = loadConfig(
    {
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECRET_KEY: randomBytes(32).toString('hex'),
      HOST: '127.0.0.1',
      PORT: '0',
      EMBEDDED_PG_PORT: String(await freePort()),
      DATA_DIR: path.join(root, 'data'),
      MODELS_DIR: path.join(root, 'models'),
      DATASETS_DIR: path.join(root, 'datasets'),
      CHECKPOINTS_DIR: path.join(root, 'checkpoints'),
      FRONTEND_DIST: path.join(root, 'no-frontend'),
      RATE_LIMIT_MAX: '1000000',
      AUTH_RATE_LIMIT_MAX: '1000',
      BCRYPT_COST: '10',
      HF_HUB_OFFLINE: '1',
      LOG_LEVEL: 'silent',
      TF_BACKEND: process.env.TF_BACKEND ?? 'auto',
      ...env,
    },
    root,
  );
  const server = await startServer(config, createLogger('silent'));
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.port}` }));
  const shutdown = async () => {
    await server.close();
    await fs.rm(root, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
}
