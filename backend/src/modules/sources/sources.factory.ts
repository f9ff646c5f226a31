import type { Config } from '../../config.js';
import type { Pool } from '../../platform/db/pool.js';
import type { Logger } from '../../platform/logger.js';
import type { JobQueue } from '../../platform/queue/job-queue.js';
import type { Notifier } from '../../platform/realtime/realtime.js';
import { HubClient } from '../hub/hub.client.js';
import type { SettingsService } from '../settings/settings.service.js';
import { DownloadManager, type InspectInstalled } from './download-manager.js';
import { SourcesRepository } from './sources.repository.js';
import { SourcesService, type SourcesDeps } from './sources.service.js';

export interface SourcesModuleDeps {
  config: Config;
  pool: Pool;
  logger: Logger;
  notifier: Notifier;
  settings: SettingsService;
  /** The job queue the downloads run through. */
  queue: JobQueue;
  /** Checks an installed model (see DownloadManagerDeps.inspect). */
  inspect?: InspectInstalled;
  /** What installed models run here (see SourcesDeps.runtimeOf). */
  runtimeOf?: SourcesDeps['runtimeOf'];
}

export interface SourcesModule {
  sources: SourcesService;
  hub: HubClient;
  downloads: DownloadManager;
  /** Re-queues downloads a gone worker left on start; on stop lets transfers go (keeping `.part` files) and closes sockets. */
  runner: { start(): Promise<void>; stop(): Promise<void> };
}

/** The Hub client, the download manager and the sources service, wired from the config. */
export function createSourcesModule(deps: SourcesModuleDeps): SourcesModule {
  const { config, pool, logger } = deps;
  const hub = new HubClient({
    endpoint: config.HF_ENDPOINT,
    timeoutMs: config.HUB_TIMEOUT_MS,
    retries: config.HUB_RETRIES,
    offline: config.HF_HUB_OFFLINE,
    logger,
  });
  const repo = new SourcesRepository(pool);
  let sources: SourcesService | null = null;
  const downloads = new DownloadManager({
    pool,
    repo,
    queue: deps.queue,
    hub,
    notifier: deps.notifier,
    logger,
    modelsRoot: config.paths.models,
    concurrency: config.DOWNLOAD_CONCURRENCY,
    fileConcurrency: config.DOWNLOAD_FILE_CONCURRENCY,
    ranges: {
      connections: config.DOWNLOAD_CONNECTIONS,
      chunkedMinBytes: config.DOWNLOAD_CHUNKED_MIN_MB * 1024 * 1024,
      maxPerDownload: config.DOWNLOAD_MAX_CONNECTIONS,
      maxPerHost: config.DOWNLOAD_HOST_CONNECTIONS,
    },
    tokenFor: (userId) => sources!.tokenFor(userId),
    inspect: deps.inspect,
  });
  sources = new SourcesService({
    pool,
    repo,
    hub,
    manager: downloads,
    settings: deps.settings,
    notifier: deps.notifier,
    logger,
    modelsRoot: config.paths.models,
    serverToken: config.HF_TOKEN ? config.HF_TOKEN : null,
    runtimeOf: deps.runtimeOf,
  });
  let closed = false;
  return {
    sources,
    hub,
    downloads,
    runner: {
      start: () => downloads.start(),
      stop: async () => {
        await downloads.stop();
        if (closed) return;
        closed = true;
        await hub.close();
      },
    },
  };
}
