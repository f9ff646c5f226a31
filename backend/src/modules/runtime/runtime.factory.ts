import os from 'node:os';
import type { Config } from '../../config.js';
import type { Pool } from '../../platform/db/pool.js';
import type { Logger } from '../../platform/logger.js';
import { RuntimePool } from './runtime-pool.js';
import { RuntimeRepository } from './runtime.repository.js';
import { RuntimeService } from './runtime.service.js';

export interface RuntimeModule {
  service: RuntimeService;
  /** Start inspects the models no inspection of this version has seen (in the background); stop ends the workers. */
  runner: { start(): Promise<void>; stop(): Promise<void> };
}

/** The runtime for installed Hub models (transformers.js in worker threads), wired from the config. */
export function createRuntimeModule(deps: { config: Config; pool: Pool; logger: Logger }): RuntimeModule {
  const { config } = deps;
  const cores = Math.max(1, os.availableParallelism());
  const workers = config.RUNTIME_WORKERS;
  const budgetBytesPerWorker = Math.floor((config.RUNTIME_MEMORY_MB * 1024 * 1024) / workers);
  const service = new RuntimeService({
    repo: new RuntimeRepository(deps.pool),
    pool: new RuntimePool({
      size: workers,
      timeoutMs: config.RUNTIME_TIMEOUT_MS,
      maxQueue: workers * 32,
      budgetBytesPerWorker,
      intraOpThreads: Math.max(1, Math.floor(cores / workers)),
      modelsRoot: config.paths.models,
    }),
    modelsRoot: config.paths.models,
    budgetBytesPerWorker,
    logger: deps.logger,
  });
  return {
    service,
    runner: {
      start: async () => service.start(),
      stop: () => service.stop(),
    },
  };
}
