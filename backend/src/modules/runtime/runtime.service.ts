import path from 'node:path';
import { RUN_MAX_INPUTS, runnableIncludes, type EncoderRef, type ModelRuntime, type OnnxVariant, type RunPipeline, type RunRequestInput, type RunResponse, type TextPreparation } from '@sokhan/common';
import { AppError, notFound } from '../../platform/http/errors.js';
import { fileFilter } from '../hub/hub.client.js';
import type { Logger } from '../../platform/logger.js';
import { listFiles, surveyModel } from './model-survey.js';
import type { LoadSpec } from './runtime-protocol.js';
import { RuntimeBusyError, RuntimeJobError, RuntimeTimeoutError, type RuntimePool } from './runtime-pool.js';
import { presentRuntime } from './runtime.presenter.js';
import type { HubModelForRun, InspectionResult, RuntimeRepository, RuntimeRow } from './runtime.repository.js';

/** Bump when the inspection changes: models inspected by an older version are inspected again at start. */
export const INSPECTOR_VERSION = 1;

export interface RuntimeDeps {
  repo: RuntimeRepository;
  pool: RuntimePool;
  modelsRoot: string;
  /** One worker's share of RUNTIME_MEMORY_MB: a model larger than this cannot be loaded. */
  budgetBytesPerWorker: number;
  logger: Logger;
}

/** An installed model that runs feature-extraction here, as a training job reads its text through it. */
export interface InstalledEncoder {
  installedId: string;
  repoId: string;
  revision: string | null;
  load: LoadSpec & { sizeBytes: number };
  text: TextPreparation;
  /** config.json's hidden size (the embedding length) when it says. */
  hiddenSize: number | null;
}

/** An installed model as the download's inspect hook sees it. */
export interface InstalledFolder {
  modelId: string;
  folder: string;
  pipelineTag: string | null;
}

/**
 * Runs installed Hub models (shared by every signed-in user, as the installed-models list is) and knows which ones
 * run here: each is inspected once, from its files and by loading it once in a runtime worker.
 */
export class RuntimeService {
  private background: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(private readonly deps: RuntimeDeps) {}

  /** Inspects the models installed before this inspector version, in the background (start does not wait). */
  start(): void {
    this.background = this.inspectUninspected().catch((err: unknown) => {
      this.deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not inspect installed models');
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.deps.pool.close();
    await this.background;
  }

  /** Waits for the start-time inspections (tests wait on this, never on time). */
  settled(): Promise<void> {
    return this.background;
  }

  /** The inspections of these models (`unchecked` for one never inspected). */
  async runtimesOf(modelIds: string[]): Promise<Map<string, ModelRuntime>> {
    const rows = await this.deps.repo.runtimesOf(modelIds);
    return new Map(rows.map((r) => [r.model_id, presentRuntime(r)]));
  }

  /** What the model runs here, or why not, kept in model_runtime. A model that does not run is a result, not an error. */
  async inspect(model: InstalledFolder): Promise<void> {
    const result = await this.examine(model.folder, model.pipelineTag);
    if (result.runnable) this.deps.logger.info({ modelId: model.modelId, pipelines: result.pipelines }, 'installed model runs here');
    else this.deps.logger.info({ modelId: model.modelId, reason: result.reason }, 'installed model does not run here');
    await this.deps.repo.save(model.modelId, INSPECTOR_VERSION, result).catch((err: unknown) => {
      // The model row went away meanwhile (deleted, or its install cancelled): nothing to keep.
      if ((err as { code?: string }).code !== '23503') throw err;
    });
  }

  async run(modelId: string, body: RunRequestInput): Promise<RunResponse> {
    const { model, folder, row, runtime, file, variant } = await this.runnable(modelId, body.pipeline, body.variant);
    if (body.pipeline === 'fill-mask') {
      const mask = runtime.maskToken ?? '';
      const count = mask ? body.inputs.split(mask).length - 1 : 0;
      if (count !== 1) throw invalid('inputs', `the text must hold the mask token ${mask || '(none)'} exactly once`);
    }
    try {
      const output = await this.deps.pool.run({
        folder,
        pipeline: body.pipeline,
        variant,
        sizeBytes: file.sizeBytes,
        externalData: row?.details.externalData ?? false,
        text: runtime.text,
        request: body,
      });
      return { ...output, modelId: model.id, repoId: model.repo_id, variant } as RunResponse;
    } catch (err) {
      throw runError(err);
    }
  }

  /**
   * An installed model a training job can read its text through: it runs feature-extraction here. The errors are
   * run's (404, 409 not installed yet, 422 not runnable or not an encoder, 422 too large).
   */
  async encoder(modelId: string, asked?: OnnxVariant): Promise<InstalledEncoder> {
    const { model, folder, row, runtime, file, variant } = await this.runnable(modelId, 'feature-extraction', asked);
    return {
      installedId: model.id,
      repoId: model.repo_id,
      revision: model.revision,
      load: { folder, pipeline: 'feature-extraction', variant, sizeBytes: file.sizeBytes, externalData: row?.details.externalData ?? false },
      text: runtime.text,
      hiddenSize: runtime.hiddenSize,
    };
  }

  /** The files a browser loads to run the encoder: "only what runs here" of its variant, the model card left out. */
  async encoderFiles(encoder: InstalledEncoder): Promise<string[]> {
    const keep = fileFilter(runnableIncludes(encoder.load.variant), ['README.md']);
    return [...(await listFiles(encoder.load.folder)).keys()].filter(keep).sort();
  }

  /**
   * The installed encoder a model was trained on, with the ONNX variant and text preparation it trained with: by its
   * id, else another install of the same repository and revision; null when none runs.
   */
  async findEncoder(installedId: string | null, ref: EncoderRef): Promise<InstalledEncoder | null> {
    const ids = [...(installedId ? [installedId] : []), ...(await this.deps.repo.installedIdsOf(ref.repoId, ref.revision))];
    for (const id of new Set(ids)) {
      const found = await this.encoder(id, ref.variant).catch(() => null);
      if (found && found.repoId === ref.repoId && found.revision === ref.revision) return { ...found, text: ref.text };
    }
    return null;
  }

  /** Embeddings of many texts through the runtime workers, RUN_MAX_INPUTS at a time, in order. */
  async embed(encoder: InstalledEncoder, texts: readonly string[], how: { pooling: 'mean' | 'cls'; normalize: boolean }): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += RUN_MAX_INPUTS) {
      const inputs = texts.slice(i, i + RUN_MAX_INPUTS);
      try {
        const r = await this.deps.pool.run({
          ...encoder.load,
          text: encoder.text,
          request: { pipeline: 'feature-extraction', inputs, pooling: how.pooling, normalize: how.normalize },
        });
        if (r.pipeline !== 'feature-extraction') throw new Error(`the encoder answered ${r.pipeline}`);
        out.push(...r.embeddings);
      } catch (err) {
        throw runError(err);
      }
    }
    return out;
  }

  /** A ready installed model that runs `pipeline` here, with the ONNX file of the variant asked for (or its default). */
  private async runnable(modelId: string, pipeline: RunPipeline, asked?: OnnxVariant) {
    const model = await this.deps.repo.findHubModel(modelId);
    if (!model) throw notFound('model');
    if (model.status !== 'ready' || !model.file_path) throw new AppError(409, 'MODEL_NOT_READY', 'the model is not installed yet');
    const folder = this.folderOf(model);
    // Never inspected (installed before this version, not reached by the start-time pass yet): inspect it now.
    const row = model.runtime && model.runtime.inspector_version >= INSPECTOR_VERSION ? model.runtime : await this.inspectRow(model, folder).catch((err: unknown) => {
      throw runError(err);
    });
    const runtime = presentRuntime(row);
    if (runtime.status !== 'runnable') {
      const reason = runtime.status === 'unsupported' ? runtime.reason : 'it was not inspected';
      const details = runtime.status === 'unsupported' ? [{ reasonCode: runtime.reasonCode, reason }] : [];
      throw new AppError(422, 'MODEL_NOT_RUNNABLE', `this model does not run here: ${reason}`, details);
    }
    if (!runtime.pipelines.includes(pipeline)) {
      throw new AppError(422, 'PIPELINE_NOT_SUPPORTED', `this model runs ${runtime.pipelines.join(', ')}, not ${pipeline}`, [{ pipelines: runtime.pipelines }]);
    }
    const variant = asked ?? runtime.defaultVariant;
    const file = runtime.variants.find((v) => v.variant === variant);
    if (!file) throw invalid('variant', `this model has no ${variant} variant (it has ${runtime.variants.map((v) => v.variant).join(', ')})`);
    if (file.sizeBytes > this.deps.budgetBytesPerWorker) throw tooLarge(file.sizeBytes, this.deps.budgetBytesPerWorker);
    return { model, folder, row, runtime, file, variant };
  }

  private async inspectUninspected(): Promise<void> {
    for (const model of await this.deps.repo.uninspected(INSPECTOR_VERSION)) {
      if (this.stopping) return;
      await this.inspectRow(model, this.folderOf(model));
    }
  }

  private async inspectRow(model: HubModelForRun, folder: string): Promise<RuntimeRow | null> {
    const pipelineTag = typeof model.metadata.pipelineTag === 'string' ? model.metadata.pipelineTag : null;
    await this.inspect({ modelId: model.id, folder, pipelineTag });
    return (await this.deps.repo.findHubModel(model.id))?.runtime ?? null;
  }

  /** Survey of the files, then (for a model that passes it) one load of its preferred variant in a worker. */
  private async examine(folder: string, pipelineTag: string | null): Promise<InspectionResult> {
    const survey = await surveyModel(folder, pipelineTag);
    if (!survey.ok) return { runnable: false, reasonCode: survey.reasonCode, reason: survey.reason };
    const preferred = survey.variants[0]!;
    if (preferred.sizeBytes > this.deps.budgetBytesPerWorker) {
      const mb = (n: number) => `${Math.ceil(n / (1024 * 1024))} MB`;
      return { runnable: false, reasonCode: 'too-large', reason: `${preferred.file} needs ${mb(preferred.sizeBytes)}, more than the ${mb(this.deps.budgetBytesPerWorker)} a runtime worker may use (RUNTIME_MEMORY_MB)` };
    }
    try {
      const probe = await this.deps.pool.probe({ folder, pipeline: survey.pipelines[0]!, variant: preferred.variant, externalData: survey.externalData });
      const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
      const c = survey.config;
      return {
        runnable: true,
        pipelines: survey.pipelines,
        variants: survey.variants,
        defaultVariant: preferred.variant,
        details: {
          text: probe.text,
          maskToken: survey.pipelines.includes('fill-mask') ? probe.maskToken : null,
          hiddenSize: survey.pipelines.includes('feature-extraction') ? (num(c.hidden_size) ?? num(c.d_model) ?? num(c.dim)) : null,
          samplingRate: survey.pipelines.includes('text-to-speech') ? num(c.sampling_rate) : null,
          externalData: survey.externalData,
        },
      };
    } catch (err) {
      if (err instanceof RuntimeJobError) return { runnable: false, reasonCode: 'onnx-load-failed', reason: `the ONNX file does not load: ${err.message}` };
      if (err instanceof RuntimeTimeoutError) return { runnable: false, reasonCode: 'onnx-load-failed', reason: `the ONNX file does not load: ${err.message}` };
      throw err;
    }
  }

  /** The model's folder, refused unless it lies inside MODELS_DIR. */
  private folderOf(model: HubModelForRun): string {
    const root = path.resolve(this.deps.modelsRoot);
    const folder = path.resolve(root, model.file_path ?? '');
    if (!folder.startsWith(root + path.sep)) throw notFound('model');
    return folder;
  }
}

const invalid = (field: string, message: string) => new AppError(400, 'VALIDATION_FAILED', message, [{ path: field, message, code: 'custom' }]);

function tooLarge(bytes: number, budget: number): AppError {
  const mb = (n: number) => Math.ceil(n / (1024 * 1024));
  return new AppError(422, 'MODEL_TOO_LARGE', `the model needs ${mb(bytes)} MB, more than the ${mb(budget)} MB a runtime worker may use`, [{ sizeBytes: bytes, budgetBytes: budget }]);
}

function runError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof RuntimeTimeoutError) return new AppError(504, 'RUN_TIMEOUT', err.message);
  if (err instanceof RuntimeBusyError) return new AppError(503, 'SERVICE_UNAVAILABLE', 'the model runtime is busy; try again', undefined, { 'Retry-After': '2' });
  if (err instanceof RuntimeJobError && err.stage === 'load') return new AppError(422, 'MODEL_NOT_RUNNABLE', `this model does not run here: the ONNX file does not load: ${err.message}`, [{ reasonCode: 'onnx-load-failed', reason: err.message }]);
  if (err instanceof RuntimeJobError) return new AppError(500, 'RUN_FAILED', `the model failed: ${err.message}`);
  return new AppError(500, 'RUN_FAILED', 'the model runtime stopped');
}
