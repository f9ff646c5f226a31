import os from 'node:os';
import type { Config } from '../../config.js';
import type { Pool } from '../../platform/db/pool.js';
import type { Logger } from '../../platform/logger.js';
import type { RuntimeVoices } from './runtime-voices.js';
import { SynthPool } from './synth-pool.js';
import { TtsRepository } from './tts.repository.js';
import { TtsService, type PrepareSpeech } from './tts.service.js';
import { VoiceCatalog } from './voice-catalog.js';
import { probePiperModel } from './voice-probe.js';

export interface TtsModule {
  service: TtsService;
  /** Nothing to resume at start (workers start on first use); stop ends the synthesis threads. */
  runner: { start(): Promise<void>; stop(): Promise<void> };
}

/** `runtime` is the model runtime (RuntimeService): VITS voices are its text-to-speech models and speak through it. */
export function createTtsModule(deps: { config: Config; pool: Pool; logger: Logger; prepare: PrepareSpeech; runtime: RuntimeVoices }): TtsModule {
  const { config } = deps;
  const cores = Math.max(1, os.availableParallelism());
  const workers = config.TTS_WORKERS || Math.min(2, cores);
  const repo = new TtsRepository(deps.pool);
  const service = new TtsService({
    repo,
    catalog: new VoiceCatalog(repo, config.paths.models, deps.logger, probePiperModel, deps.runtime),
    pool: new SynthPool({
      size: workers,
      timeoutMs: config.TTS_TIMEOUT_MS,
      maxQueue: workers * 16,
      intraOpThreads: Math.max(1, Math.floor(cores / workers)),
    }),
    runtime: deps.runtime,
    prepare: deps.prepare,
    dataDir: config.paths.data,
    maxChars: config.TTS_MAX_CHARS,
    logger: deps.logger,
  });
  return { service, runner: { start: async () => undefined, stop: () => service.stop() } };
}
