import os from 'node:os';
import type { Config } from '../../config.js';
import type { Pool } from '../../platform/db/pool.js';
import type { Logger } from '../../platform/logger.js';
import type { JobQueue } from '../../platform/queue/job-queue.js';
import type { Notifier } from '../../platform/realtime/realtime.js';
import type { DatasetsService } from '../datasets/datasets.service.js';
import type { RuntimeService } from '../runtime/runtime.service.js';
import { ModelArchiveService } from './model-archive.service.js';
import { tfBackendInfo } from './tf-backend.js';
import { TrainedModelsService } from './trained-models.service.js';
import { TrainingRepository } from './training.repository.js';
import { TrainingService } from './training.service.js';

/** The training service (jobs, queue, workers), the trained-model service (files, predict), model archives (export, import) and their runner. */
export function createTrainingModule(deps: { config: Config; pool: Pool; logger: Logger; notifier: Notifier; datasets: DatasetsService; queue: JobQueue; runtime: RuntimeService }) {
  const { config } = deps;
  const training = new TrainingService({
    pool: deps.pool,
    datasets: deps.datasets,
    notifier: deps.notifier,
    logger: deps.logger,
    paths: { models: config.paths.models, checkpoints: config.paths.checkpoints },
    concurrency: config.TRAINING_CONCURRENCY,
    tfPreference: config.TF_BACKEND,
    queue: deps.queue,
    handover: config.SOKHAN_ROLE === 'worker',
    encoders: deps.runtime,
    modelsRoot: config.paths.models,
    // A job's encoder shares the cores with the jobs training beside it.
    encoderThreads: Math.max(1, Math.floor(os.availableParallelism() / config.TRAINING_CONCURRENCY)),
  });
  const models = new TrainedModelsService({
    repo: new TrainingRepository(deps.pool),
    datasets: deps.datasets,
    modelDir: (id) => training.modelDir(id),
    runtime: deps.runtime,
    tfInfo: () => tfBackendInfo(config.TF_BACKEND, { onSkip: (backend, reason) => deps.logger.info({ backend, reason }, 'TensorFlow.js backend passed over') }),
  });
  const archives = new ModelArchiveService({
    pool: deps.pool,
    logger: deps.logger,
    modelDir: (id) => training.modelDir(id),
    tfInfo: () => tfBackendInfo(config.TF_BACKEND),
    sokhanVersion: config.version,
  });
  const runner = {
    start: async () => {
      await archives.removeAbandonedImports();
      await training.start();
    },
    stop: async () => {
      await training.stop();
      await models.close();
    },
  };
  return { training, models, archives, runner };
}
