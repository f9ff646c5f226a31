import { randomUUID } from 'node:crypto';
import { prepareSpeechText } from '@sokhan/common';
import type { Config, Role } from './config.js';
import type { AuthService } from './modules/auth/auth.service.js';
import { DatasetsRepository } from './modules/datasets/datasets.repository.js';
import { SAMPLES_DIR } from './modules/datasets/dataset-samples.js';
import { DatasetsService } from './modules/datasets/datasets.service.js';
import { SettingsRepository } from './modules/settings/settings.repository.js';
import { SettingsService } from './modules/settings/settings.service.js';
import { createRuntimeModule } from './modules/runtime/runtime.factory.js';
import type { RuntimeService } from './modules/runtime/runtime.service.js';
import { createSourcesModule } from './modules/sources/sources.factory.js';
import type { SourcesService } from './modules/sources/sources.service.js';
import { SystemRepository } from './modules/system/system.repository.js';
import { SystemService } from './modules/system/system.service.js';
import { tfBackendInfo } from './modules/training/tf-backend.js';
import type { ModelArchiveService } from './modules/training/model-archive.service.js';
import type { TrainedModelsService } from './modules/training/trained-models.service.js';
import { createTrainingModule } from './modules/training/training.factory.js';
import type { TrainingService } from './modules/training/training.service.js';
import { createTtsModule } from './modules/tts/tts.factory.js';
import { voiceProblems } from './modules/tts/voice-catalog.js';
import { probePiperModel } from './modules/tts/voice-probe.js';
import type { TtsService } from './modules/tts/tts.service.js';
import { SecretBox } from './platform/crypto/secret-box.js';
import type { Pool } from './platform/db/pool.js';
import type { Logger } from './platform/logger.js';
import { JobQueue } from './platform/queue/job-queue.js';
import type { Notifier } from './platform/realtime/realtime.js';

export interface CoreDeps {
  config: Config;
  pool: Pool;
  logger: Logger;
  auth: AuthService;
  notifier: Notifier;
  dbMode: 'embedded' | 'external';
  /** Another worker found this process dead (its lease ran out): default, log only (a server exits). */
  onLeaseLost?: () => void;
}

type Runner = { start(): Promise<void>; stop(): Promise<void> };
const EVERY_ROLE: readonly Role[] = ['all', 'api', 'worker'];
const JOB_ROLES: readonly Role[] = ['all', 'worker'];

/**
 * The composition root: every service and background runner, built from real parts.
 * `start()` resumes background work (queued downloads, interrupted training); `stop()` ends it cleanly.
 */
export interface Services {
  auth: AuthService;
  settings: SettingsService;
  system: SystemService;
  sources: SourcesService;
  datasets: DatasetsService;
  training: TrainingService;
  trainedModels: TrainedModelsService;
  modelArchives: ModelArchiveService;
  tts: TtsService;
  runtime: RuntimeService;
  /** The job queue (enqueueing in every role; it runs jobs in roles all and worker). */
  queue: JobQueue;
  /** Starts what this role runs; background jobs only in roles all and worker. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createServices(deps: CoreDeps): Services {
  const { config, pool } = deps;
  const box = new SecretBox(config.SECRET_KEY);
  const settings = new SettingsService(new SettingsRepository(pool), box);
  const role = config.SOKHAN_ROLE;
  const system = new SystemService({
    repo: new SystemRepository(pool),
    pool,
    notifier: deps.notifier,
    version: config.version,
    role,
    leaseMs: config.WORKER_LEASE_MS,
    dbMode: deps.dbMode,
    dataPaths: { data: config.paths.data, models: config.paths.models, datasets: config.paths.datasets, checkpoints: config.paths.checkpoints },
    tfInfo: () => tfBackendInfo(config.TF_BACKEND),
  });
  const datasets = new DatasetsService({
    repo: new DatasetsRepository(pool),
    dir: config.paths.datasets,
    maxBytes: config.DATASET_MAX_MB * 1024 * 1024,
    samplesDir: SAMPLES_DIR,
    logger: deps.logger,
  });
  // Downloads and training run through it; each worker process renews its lease on its jobs.
  const queue = new JobQueue({
    pool,
    logger: deps.logger,
    lease: { instanceId: randomUUID(), leaseMs: config.WORKER_LEASE_MS },
    role,
    heartbeatMs: config.WORKER_HEARTBEAT_MS,
    onLeaseLost: deps.onLeaseLost ?? (() => undefined),
  });
  // Runners join here: each with start() (resume work left at the last stop) and stop(), and the roles that start it
  // (every runner stops, started or not).
  const runners: (Runner & { roles: readonly Role[] })[] = [];
  const add = (roles: readonly Role[], r: Runner) => runners.push({ roles, start: () => r.start(), stop: () => r.stop() });
  // Installed Hub models run in runtime workers; it stops after the downloads (an install's inspection uses it).
  const runtimeModule = createRuntimeModule({ config, pool, logger: deps.logger });
  add(EVERY_ROLE, runtimeModule.runner);
  const runtime = runtimeModule.service;
  // At install, voice files are loaded once (an installed voice that will not run says so at once) and the model is
  // inspected for what it runs here; a failed inspection leaves it `unchecked`, never fails the install.
  const hubModule = createSourcesModule({
    config,
    pool,
    logger: deps.logger,
    notifier: deps.notifier,
    settings,
    queue,
    inspect: async (model) => {
      await runtime.inspect(model).catch((err: unknown) => deps.logger.warn({ modelId: model.modelId, err: err instanceof Error ? err.message : String(err) }, 'could not inspect the installed model'));
      return voiceProblems(model.folder, probePiperModel);
    },
    runtimeOf: (ids) => runtime.runtimesOf(ids),
  });
  add(JOB_ROLES, hubModule.runner);
  const trainingModule = createTrainingModule({ config, pool, logger: deps.logger, notifier: deps.notifier, datasets, queue, runtime });
  add(JOB_ROLES, trainingModule.runner);
  // Speech runs per API instance, in its own threads.
  const ttsModule = createTtsModule({ config, pool, logger: deps.logger, prepare: (text) => prepareSpeechText(text), runtime });
  add(EVERY_ROLE, ttsModule.runner);
  return {
    auth: deps.auth,
    settings,
    system,
    sources: hubModule.sources,
    datasets,
    training: trainingModule.training,
    trainedModels: trainingModule.models,
    modelArchives: trainingModule.archives,
    tts: ttsModule.service,
    runtime,
    queue,
    start: async () => {
      for (const r of runners) if (r.roles.includes(role)) await r.start();
      // Last: a job the queue hands over finds its runner started.
      if (JOB_ROLES.includes(role)) await queue.start();
    },
    stop: async () => {
      // No new jobs from here on; those running end as their runners stop them, then the lease is given up.
      const drained = queue.drain();
      for (const r of [...runners].reverse()) await r.stop();
      await drained;
      await queue.stop();
    },
  };
}
