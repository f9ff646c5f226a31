import { Logger as EngineLogger, runMigrations } from 'graphile-worker';
import type { Pool } from '../db/pool.js';

const silent = new EngineLogger(() => () => undefined);

/**
 * Installs or upgrades graphile-worker's own schema (`graphile_worker`). Safe with several instances starting at
 * once: each of its migrations is claimed by inserting its number first, and a clash means another instance did it.
 */
export async function migrateQueueSchema(pool: Pool): Promise<void> {
  await runMigrations({ pgPool: pool, schema: 'graphile_worker', logger: silent });
}
