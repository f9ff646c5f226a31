import { randomUUID } from 'node:crypto';
import { HubClient } from '../src/modules/hub/hub.client.js';
import { SettingsRepository } from '../src/modules/settings/settings.repository.js';
import { SettingsService } from '../src/modules/settings/settings.service.js';
import { DownloadManager } from '../src/modules/sources/download-manager.js';
import { SourcesRepository, type DownloadRow } from '../src/modules/sources/sources.repository.js';
import { SourcesService } from '../src/modules/sources/sources.service.js';
import { SecretBox } from '../src/platform/crypto/secret-box.js';
import { JobQueue } from '../src/platform/queue/job-queue.js';
import { silentNotifier } from '../src/platform/realtime/realtime.js';
import { testLogger, type TestApp } from './helpers.js';

/**
 * The Hub parts wired by hand on a test app's database and folders (its own runners stopped), so a test decides
 * what happens between each claim and the start of its transfer.
 */
export function wireHubParts(t: Pick<TestApp, 'config' | 'pool'>, afterClaim: (row: DownloadRow) => Promise<void>) {
  const { config, pool } = t;
  const hub = new HubClient({ endpoint: config.HF_ENDPOINT, timeoutMs: config.HUB_TIMEOUT_MS, retries: config.HUB_RETRIES, offline: false, logger: testLogger });
  const repo = new SourcesRepository(pool);
  const settings = new SettingsService(new SettingsRepository(pool), new SecretBox(config.SECRET_KEY));
  const notifier = silentNotifier();
  const queue = new JobQueue({
    pool,
    logger: testLogger,
    lease: { instanceId: randomUUID(), leaseMs: config.WORKER_LEASE_MS },
    role: 'all',
    heartbeatMs: config.WORKER_HEARTBEAT_MS,
    onLeaseLost: () => undefined,
  });
  const manager = new DownloadManager({
    pool,
    queue,
    repo,
    hub,
    notifier,
    logger: testLogger,
    modelsRoot: config.paths.models,
    concurrency: 1,
    fileConcurrency: 2,
    tokenFor: async () => null,
    afterClaim,
  });
  const sources = new SourcesService({ pool, repo, hub, manager, settings, notifier, logger: testLogger, modelsRoot: config.paths.models, serverToken: null });
  return {
    hub,
    repo,
    manager,
    sources,
    /** The manager, then the queue that hands it downloads. */
    start: async () => {
      await manager.start();
      await queue.start();
    },
    stop: async () => {
      const drained = queue.drain();
      await manager.stop();
      await drained;
      await queue.stop();
    },
  };
}
