import 'dotenv/config';
import { loadConfig } from '../config.js';
import { MIGRATIONS_DIR, openDatabase } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrator.js';
import { createLogger } from '../platform/logger.js';

/** `npm run db:migrate`: applies pending migrations and prints what it did. */
const config = loadConfig();
const db = await openDatabase(config, createLogger('warn'), { migrate: false });
try {
  const r = await migrate(db.pool, MIGRATIONS_DIR);
  console.log(`migrations: ${r.applied.length} applied (${r.applied.join(', ') || 'none'}), ${r.skipped.length} already applied`);
} finally {
  await db.close();
}
