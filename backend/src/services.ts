import { prepareSpeechText } from '@sokhan/common';
import type { Config } from './config.js';
import type { AuthService } from './modules/auth/auth.service.js';
import { DatasetsRepository } from './modules/datasets/datasets.repository.js';
import { SAMPLES_DIR } from './modules/datasets/dataset-samples.js';
import { DatasetsService } from './modules/datasets/datasets.service.js';
import { SettingsRepository } from './modules/settings/settings.repository.js';
import { SettingsService } from './modules/settings/settings.service.js';
import { createSourcesModule } from './modules/sources/sources.factory.js';
import type { SourcesService } from './modules/sources/sources.service.js';
import { SystemRepository } from './modules/system/system.repository.js';
import { SystemService } from './modules/system/system.service.js';
import { tfBackendInfo } from './modules/training/tf-backend.js';
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
import type { Notifier } from './platform/realtime/realtime.js';

export interface CoreDeps {
  config: Config;
  pool: Pool;
  logger: Logger;
  auth: AuthService;
  notifier: Notifier;
  dbMode: 'embedded' | 'external';
}

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
  tts: TtsService;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createServices(deps: CoreDeps): Services {
  const { config, pool } = deps;
  const box = new SecretBox(config.SECRET_KEY);
  const settings = new SettingsService(new SettingsRepository(pool), box);
  const system = new SystemService({
    repo: new SystemRepository(pool),
    pool,
    notifier: deps.notifier,
    version: config.version,
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
  // Runners join here: each with start() (resume work left at the last stop) and stop().
  const runners: { start(): Promise<void>; stop(): Promise<void> }[] = [];
  // Voice files are loaded once at install, so an installed voice that will not run says so at once.
  const hubModule = createSourcesModule({ config, pool, logger: deps.logger, notifier: deps.notifier, settings, inspect: (folder) => voiceProblems(folder, probePiperModel) });
  runners.push(hubModule.runner);
  const trainingModule = createTrainingModule({ config, pool, logger: deps.logger, notifier: deps.notifier, datasets });
  runners.push(trainingModule.runner);
  const ttsModule = createTtsModule({ config, pool, logger: deps.logger, prepare: (text) => prepareSpeechText(text) });
  runners.push(ttsModule.runner);
  return {
    auth: deps.auth,
    settings,
    system,
    sources: hubModule.sources,
    datasets,
    training: trainingModule.training,
    trainedModels: trainingModule.models,
    tts: ttsModule.service,
    start: async () => {
      for (const r of runners) await r.start();
    },
    stop: async () => {
      for (const r of [...runners].reverse()) await r.stop();
    },
  };
}
