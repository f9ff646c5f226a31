import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config.js';
import type { Logger } from '../logger.js';
import { ensureDatabase, startEmbeddedPostgres } from './embedded.js';
import { migrate } from './migrator.js';
import { createPool, type Pool } from './pool.js';

export interface Database {
  pool: Pool;
  mode: 'embedded' | 'external';
  close(): Promise<void>;
}

/** database/migrations at the repository root, from src/ or dist/ alike (same depth). */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../database/migrations');

/** DATABASE_URL when set, else the embedded server under DATA_DIR; then the pool and the migrations. */
export async function openDatabase(config: Config, logger: Logger, opts: { migrate?: boolean } = {}): Promise<Database> {
  let url = config.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (!url) {
    const embedded = await startEmbeddedPostgres({ dataDir: config.paths.data, port: config.EMBEDDED_PG_PORT, logger });
    stopEmbedded = embedded.stop;
    try {
      url = await ensureDatabase(embedded.url, 'sokhan');
    } catch (err) {
      await embedded.stop();
      throw err;
    }
  }
  const pool = createPool({
    connectionString: url,
    max: config.DB_POOL_MAX,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    idleTimeoutMs: config.DB_IDLE_TIMEOUT_MS,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    logger,
  });
  const close = async () => {
    await pool.end().catch(() => undefined);
    await stopEmbedded?.();
  };
  try {
    if (opts.migrate !== false) {
      const r = await migrate(pool, MIGRATIONS_DIR);
      if (r.applied.length) logger.info({ applied: r.applied }, 'migrations applied');
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { pool, mode: stopEmbedded ? 'embedded' : 'external', close };
}
