import fs from 'node:fs/promises';
import path from 'node:path';
import {
  FeatureError,
  defaultTextBuckets,
  deserializeFeatures,
  fitFeatureExtractorAsync,
  inputColumns,
  seededRandom,
  serializeFeatures,
  type ClassificationReport,
  type EarlyStoppingConfig,
  type EmbeddingProgress,
  type EpochMetrics,
  type ErrorCode,
  type FeatureSpec,
  type FinalTrainingMetrics,
  type FittedFeatures,
  type InputColumn,
  type ModelFile,
  type ModelInput,
  type TfBackendName,
  type TrainingConfig,
  type TrainingProgressState,
} from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';
import { fileLoader, saveModelFolder } from './model-io.js';
import { buildNetwork, compileNetwork, disposeNetwork, outputUnits } from './network.js';
import { evaluateRows, evalBatches } from './evaluation.js';
import type { TableOptimizerMeta } from './table-optimizer.js';
import { fitSparse, SparseFitter, type FitCallbacks, type FitOptions } from './sparse-fit.js';
import { batchTensors, encoded, inBatches, lengthBatches, replayable, rowEncoder, shuffled, type EncodedRow } from './training-batches.js';
import { ensureEmbeddings, type EncoderJob } from './embedding-phase.js';
import { ROLE, neededColumns, planDataset, rowsOf, type DatasetSource } from './training-data.js';

/** Everything one run needs; plain data, so it crosses into a worker thread unchanged. */
export interface TrainJob {
  jobId: string;
  /** Stored config: seed set, every feature column's kind resolved. */
  config: TrainingConfig;
  dataset: DatasetSource;
  /** checkpoints/<jobId> */
  checkpointsDir: string;
  /** models/trained/<modelId> */
  modelDir: string;
  /** The checkpoint to continue from (its epoch is the last one trained). */
  resume: { dir: string; epoch: number; step: number } | null;
  /** A trained model to continue from (fine-tuning): its network and features are reused. */
  baseModelDir: string | null;
  /** Epochs trained before this run (for early stopping across a resume). */
  history: EpochMetrics[];
  /** Memory for encoded rows held at once (the shuffle buffer); a batch that does not fit is refused. */
  maxFeatureBytes: number;
  backend: TfBackendName;
  /** Jobs on an encoder: the text column is embedded first (or read from the cache), then the head trains on that. */
  encoder?: EncoderJob | null;
}

export type TrainerEvent =
  | { type: 'embedding'; progress: EmbeddingProgress }
  | { type: 'started'; backend: TfBackendName; samples: { train: number; validation: number; skipped: number }; featureDim: number; parameters: number; classes: string[] | null }
  | { type: 'progress'; state: TrainingProgressState; phase: 'batch' | 'epoch'; valLoss: number | null; valAccuracy: number | null }
  | { type: 'checkpoint'; epoch: number; step: number; dir: string; metrics: EpochMetrics; sizeBytes: number }
  | {
      type: 'completed';
      metrics: FinalTrainingMetrics;
      files: ModelFile[];
      inputs: InputColumn[];
      labels: string[] | null;
      stoppedEarly: boolean;
      featureDim: number;
      parameters: number;
      /** Length of the encoder's embedding (null without an encoder). */
      embeddingDim: number | null;
      /** The saved model on the held-out rows (or the training rows without a split); null for regression. */
      evaluation: { split: 'validation' | 'training'; report: ClassificationReport } | null;
    };

export type TrainOutcome = 'completed' | 'paused' | 'cancelled';

/** Asked after every batch: 'pause' stops after it with a checkpoint, 'cancel' stops without one. */
export interface TrainerControl {
  requested(): 'pause' | 'cancel' | null;
}

/** A failure with an API error code (bad data is INVALID_DATASET, the rest TRAINING_FAILED). */
export class TrainingFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TrainingFailure';
  }
}

export const FEATURES_JSON = 'features.json';
export const LABELS_JSON = 'labels.json';
export const CHECKPOINT_JSON = 'checkpoint.json';
/** The sparse table's optimizer state in a checkpoint (sparse-fit.ts): its step and size, then the moments. */
export const SPARSE_STATE_JSON = 'sparse-optimizer.json';
export const SPARSE_STATE_BIN = 'sparse-optimizer.bin';
const PROGRESS_INTERVAL_MS = 250;

export const checkpointDirName = (epoch: number) => `epoch-${epoch}`;

/** Stored configs from before the sparse model and default early stopping read as they were trained. */
export const modelInputOf = (config: Pick<TrainingConfig, 'input'>): ModelInput => config.input ?? 'dense';
/** Saved in model.json, so predict and the browser feed the inputs the network reads (see modelFeatureInput). */
const featureInputMetadata = (config: TrainingConfig) => ({ sokhan: { input: modelInputOf(config), pooling: config.pooling ?? 'tfidf' } });
const earlyStoppingOf = (config: TrainingConfig): EarlyStoppingConfig | null => config.earlyStopping ?? null;

function featureSpec(config: TrainingConfig, embedding: FeatureSpec['embedding']): FeatureSpec {
  const text = config.textFeatures;
  return {
    embedding,
    task: config.task,
    labelColumn: config.labelColumn,
    textColumn: config.textColumn,
    featureColumns: config.featureColumns.map((c) => ({ name: c.name, kind: c.kind ?? 'number' })),
    buckets: text?.buckets ?? defaultTextBuckets(modelInputOf(config), config.layers),
    ngram: text ? { word: text.word, char: text.char } : undefined,
  };
}

async function readFeatures(dir: string): Promise<FittedFeatures> {
  return deserializeFeatures(await fs.readFile(path.join(dir, FEATURES_JSON), 'utf8'));
}

function asFailure(err: unknown): unknown {
  if (err instanceof FeatureError) {
    const data = ['NO_ROWS', 'TOO_FEW_CLASSES', 'TOO_MANY_CLASSES', 'MISSING_LABEL', 'UNKNOWN_LABEL'].includes(err.code);
    return new TrainingFailure(data ? 'INVALID_DATASET' : 'TRAINING_FAILED', err.message);
  }
  return err;
}

/** Early stopping over the epochs so far: improvement by more than minDelta resets the wait. */
const MONITOR_KEYS = { val_loss: 'valLoss', val_accuracy: 'valAccuracy', loss: 'loss', accuracy: 'accuracy' } as const;

class EarlyStopper {
  private best: number | null = null;
  private wait = 0;
  constructor(private readonly cfg: EarlyStoppingConfig | null) {}

  /** Feeds one epoch; true when patience has run out. */
  update(m: EpochMetrics): boolean {
    if (!this.cfg) return false;
    const key = MONITOR_KEYS[this.cfg.monitor];
    const value = m[key];
    if (value === null) return false;
    const higher = this.cfg.monitor.endsWith('accuracy');
    const improved = this.best === null || (higher ? value > this.best + this.cfg.minDelta : value < this.best - this.cfg.minDelta);
    if (improved) {
      this.best = value;
      this.wait = 0;
    } else {
      this.wait += 1;
    }
    return this.wait >= this.cfg.patience;
  }
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The epoch whose weights the model keeps: with early stopping and restoreBest, the best complete epoch by the
 * monitor (the first on ties); otherwise the last one trained.
 */
export function keptEpoch(history: readonly EpochMetrics[], es: EarlyStoppingConfig | null): EpochMetrics | null {
  const last = history.at(-1) ?? null;
  if (!es || es.restoreBest === false) return last;
  const key = MONITOR_KEYS[es.monitor];
  const higher = es.monitor.endsWith('accuracy');
  let best: EpochMetrics | null = null;
  for (const h of history) {
    const v = h[key];
    if (h.partial || v === null) continue;
    const b = best?.[key] ?? null;
    if (b === null || (higher ? v > b : v < b)) best = h;
  }
  return best ?? last;
}

/** "balanced": rows / (classes × rows of the class), from the training counts the fit saw; "sqrt": its root. */
function classWeights(fitted: FittedFeatures, config: TrainingConfig): Record<number, number> | undefined {
  const label = fitted.label;
  const how = config.classWeight ?? 'none';
  if (label.kind !== 'classification' || how === 'none') return undefined;
  const total = label.counts.reduce((a, b) => a + b, 0);
  const balanced = (c: number) => (c > 0 ? total / (label.classes.length * c) : 1);
  return Object.fromEntries(label.counts.map((c, i) => [i, how === 'sqrt' ? Math.sqrt(balanced(c)) : balanced(c)]));
}

/**
 * One training run, streaming: plan the split (one pass over the labels), fit (or reload) the features on the
 * training rows, build (or reload) the network, then fitDataset over batches built on the fly from the file,
 * shuffled per epoch from the seed, with a checkpoint after every epoch. The saved model is the kept epoch
 * (the best one by default), evaluated on the held-out rows. Every tensor it creates is disposed.
 */
export async function runTraining(job: TrainJob, control: TrainerControl, emit: (e: TrainerEvent) => void): Promise<TrainOutcome> {
  const { config } = job;
  const seed = config.seed ?? 0;
  const input = modelInputOf(config);
  const columns = neededColumns(config);
  let model: tf.LayersModel | null = null;
  try {
    const plan = await planDataset(job.dataset, config, seed);
    if (plan.rows === 0) throw new TrainingFailure('INVALID_DATASET', 'the dataset has no rows');
    const embedded = job.encoder ? await embedDataset(job, job.encoder, plan.rows, control, emit) : undefined;
    if (embedded === 'paused' || embedded === 'cancelled') return embedded;
    const sourceDir = job.resume?.dir ?? job.baseModelDir;
    const fitted = sourceDir
      ? await readFeatures(sourceDir)
      : await fitFeatureExtractorAsync(rowsOf(job.dataset, columns, plan, ROLE.train, embedded), featureSpec(config, embedded && job.encoder ? { dim: embedded.dim, encoder: job.encoder.ref } : undefined));
    if ((fitted.embedding?.dim ?? null) !== (embedded?.dim ?? null)) {
      throw new TrainingFailure('TRAINING_FAILED', `the model reads ${fitted.embedding ? `embeddings of ${fitted.embedding.dim} values` : 'n-grams'}, the job gives ${embedded ? `embeddings of ${embedded.dim}` : 'n-grams'}`);
    }
    const classes = fitted.label.kind === 'classification' ? [...fitted.label.classes] : null;
    const outputs = outputUnits(config.task, classes?.length ?? 1);
    const encode = rowEncoder(fitted, input, config.pooling ?? 'tfidf');
    const rowsFor = (role: number) => () => encoded(rowsOf(job.dataset, columns, plan, role, embedded), encode);
    // Held-out rows are replayed from memory under a quarter of the budget the shuffle buffer has.
    const trainRows = replayable(rowsFor(ROLE.train), job.maxFeatureBytes);
    const validationRows = replayable(rowsFor(ROLE.validation), job.maxFeatureBytes / 4);
    const denseRow = input === 'dense' ? fitted.dim * 4 : 0;
    if (denseRow * config.batchSize > job.maxFeatureBytes) {
      throw new TrainingFailure(
        'INVALID_DATASET',
        `a batch of ${config.batchSize} rows × ${fitted.dim} features needs ${Math.ceil((denseRow * config.batchSize) / 2 ** 20)} MB, more than ${Math.floor(job.maxFeatureBytes / 2 ** 20)} MB; use the sparse input, fewer text buckets or a smaller batch`,
      );
    }

    if (job.resume) {
      // model.json carries the training config: the optimizer comes back compiled, with its saved state.
      model = await tf.loadLayersModel(fileLoader(job.resume.dir));
    } else if (job.baseModelDir) {
      model = await tf.loadLayersModel(fileLoader(job.baseModelDir));
      disposeOptimizer(model);
      compileNetwork(model, config);
    } else {
      model = buildNetwork({ ...config, input }, fitted.dim, outputs);
      compileNetwork(model, config);
    }
    model.setUserDefinedMetadata(featureInputMetadata(config));
    const fitter = input === 'sparse' ? new SparseFitter(model, config) : null;
    if (fitter && job.resume) await restoreSparseState(fitter, job.resume.dir);
    const parameters = model.countParams();
    // Rows of the file whose label the fit never saw (or that is not a number) are skipped when encoded.
    emit({
      type: 'started',
      backend: job.backend,
      samples: { train: plan.train, validation: plan.validation, skipped: plan.skipped },
      featureDim: fitted.dim,
      parameters,
      classes,
    });
    const before = control.requested();
    if (before) return before === 'pause' ? 'paused' : 'cancelled';

    const epochs = config.epochs;
    const startEpoch = job.resume?.epoch ?? 0;
    const batches = Math.max(1, Math.ceil(plan.train / config.batchSize));
    const es = earlyStoppingOf(config);
    const stopper = new EarlyStopper(es);
    for (const h of job.history) if (!h.partial) stopper.update(h);
    const history: EpochMetrics[] = [...job.history];
    const featuresJson = JSON.stringify(serializeFeatures(fitted));
    const sessionStart = Date.now();
    let trainedMs = job.history.reduce((sum, h) => sum + h.durationMs, 0);
    let step = job.resume?.step ?? 0;
    let sessionBatches = 0;
    let batchInEpoch = 0;
    let samplesInEpoch = 0;
    let epochStart = Date.now();
    let lastEmit = 0;
    let stop: 'pause' | 'cancel' | null = null;
    let stoppedEarly = false;
    let epochsDone = startEpoch;
    const currentModel = model;

    const state = (epochIndex: number, loss: number | null, accuracy: number | null): TrainingProgressState => {
      const elapsed = (Date.now() - epochStart) / 1000;
      const perBatch = sessionBatches > 0 ? (Date.now() - sessionStart) / 1000 / sessionBatches : null;
      const remaining = (epochs - epochIndex - 1) * batches + Math.max(0, batches - batchInEpoch);
      return {
        epoch: epochIndex + 1,
        epochs,
        batch: batchInEpoch,
        batches,
        progress: Math.min(100, ((epochIndex + Math.min(1, batchInEpoch / batches)) / epochs) * 100),
        loss,
        accuracy,
        samplesPerSecond: elapsed > 0 ? samplesInEpoch / elapsed : null,
        etaSeconds: perBatch === null ? null : Math.max(0, remaining * perBatch),
      };
    };

    // Each epoch asks for a new pass: the rows come again (from memory when they fit), in a new seeded order.
    let epochIndex = startEpoch;
    let refitEpoch = 0;
    const epochBatches = (rows: () => AsyncIterable<EncodedRow>, run: 'train' | 'refit') => () => {
      const rnd = seededRandom((seed + 1) * 7919 + (run === 'train' ? epochIndex : 100_003 + refitEpoch++));
      const mixed = shuffled(rows(), job.maxFeatureBytes, rnd);
      return (async function* () {
        for await (const batch of input === 'sparse' ? lengthBatches(mixed, config.batchSize, rnd) : inBatches(mixed, config.batchSize)) {
          if (run === 'train') samplesInEpoch += batch.length;
          yield batch;
        }
      })();
    };
    const fit = (m: tf.LayersModel, f: SparseFitter | null, opts: FitOptions) => (f ? fitSparse(f, opts) : fitDense(m, opts, fitted.dim, classes ? outputs : null));

    await fit(currentModel, fitter, {
      epochs,
      initialEpoch: startEpoch,
      train: epochBatches(trainRows, 'train'),
      validation: plan.validation > 0 ? () => evalBatches(validationRows(), input, config.batchSize) : undefined,
      classWeight: classWeights(fitted, config),
      callbacks: {
        onEpochBegin: async (epoch) => {
          epochIndex = epoch;
          batchInEpoch = 0;
          samplesInEpoch = 0;
          epochStart = Date.now();
        },
        onBatchEnd: async (_batch, logs) => {
          batchInEpoch += 1;
          sessionBatches += 1;
          step += 1;
          const now = Date.now();
          if (now - lastEmit >= PROGRESS_INTERVAL_MS && batchInEpoch < batches) {
            lastEmit = now;
            emit({ type: 'progress', phase: 'batch', state: state(epochIndex, num(logs?.loss), num(logs?.acc)), valLoss: null, valAccuracy: null });
          }
          const req = control.requested();
          if (req) {
            stop = req;
            currentModel.stopTraining = true;
          }
        },
        onEpochEnd: async (epoch, logs) => {
          if (stop === 'cancel') return;
          const partial = stop !== null && batchInEpoch < batches;
          const durationMs = Date.now() - epochStart;
          const metrics: EpochMetrics = {
            epoch: epoch + 1,
            loss: num(logs?.loss),
            accuracy: num(logs?.acc),
            valLoss: num(logs?.val_loss),
            valAccuracy: num(logs?.val_acc),
            durationMs,
            samplesPerSecond: durationMs > 0 ? (samplesInEpoch * 1000) / durationMs : null,
            partial,
          };
          history.push(metrics);
          epochsDone = epoch + 1;
          trainedMs += durationMs;
          lastEmit = Date.now();
          emit({ type: 'progress', phase: 'epoch', state: { ...state(epoch, metrics.loss, metrics.accuracy), batch: batchInEpoch, progress: ((epoch + 1) / epochs) * 100 }, valLoss: metrics.valLoss, valAccuracy: metrics.valAccuracy });
          const dir = path.join(job.checkpointsDir, checkpointDirName(epoch + 1));
          fitter?.syncModel();
          const saved = await saveModelFolder(currentModel, dir, {
            includeOptimizer: true,
            extraFiles: {
              [FEATURES_JSON]: featuresJson,
              [CHECKPOINT_JSON]: JSON.stringify({ jobId: job.jobId, epoch: epoch + 1, step, metrics }),
              ...(fitter ? sparseStateFiles(fitter) : {}),
            },
          });
          emit({ type: 'checkpoint', epoch: epoch + 1, step, dir, metrics, sizeBytes: saved.files.reduce((s, f) => s + f.sizeBytes, 0) });
          if (!partial && stopper.update(metrics) && epoch + 1 < epochs) {
            stoppedEarly = true;
            currentModel.stopTraining = true;
          }
        },
      } satisfies FitCallbacks,
    });

    if (stop === 'cancel') return 'cancelled';
    if (stop === 'pause' && epochsDone < epochs && !stoppedEarly) return 'paused';

    const kept = keptEpoch(history, es);
    // The best epoch's weights are in its checkpoint; the last epoch's are the live model.
    const keptModel = kept && kept.epoch !== epochsDone ? await tf.loadLayersModel(fileLoader(path.join(job.checkpointsDir, checkpointDirName(kept.epoch)))) : currentModel;
    let refitModel: tf.LayersModel | null = null;
    try {
      const refitEpochs = config.refit && es && plan.validation > 0 && kept ? kept.epoch : 0;
      if (refitEpochs > 0) {
        const everyRow = async function* () {
          yield* trainRows();
          yield* validationRows();
        };
        refitModel = await refit(job, fitted, refitEpochs, epochBatches(everyRow, 'refit'), fit, control);
        if (!refitModel) return 'cancelled';
      }
      const saved = await saveModelFolder(refitModel ?? keptModel, job.modelDir, {
        includeOptimizer: false,
        extraFiles: {
          [FEATURES_JSON]: featuresJson,
          [LABELS_JSON]: JSON.stringify({ task: config.task, labelColumn: config.labelColumn, labels: classes, labelNames: config.labelNames ?? {} }),
        },
      });
      const split = plan.validation > 0 ? ('validation' as const) : ('training' as const);
      const report = await evaluateRows(keptModel, split === 'validation' ? validationRows() : trainRows(), fitted, input, config.batchSize);
      emit({
        type: 'completed',
        metrics: {
          loss: kept?.loss ?? null,
          accuracy: kept?.accuracy ?? null,
          valLoss: kept?.valLoss ?? null,
          valAccuracy: kept?.valAccuracy ?? null,
          epochs: epochsDone,
          durationMs: trainedMs,
          bestEpoch: kept?.epoch ?? null,
          refitEpochs: refitEpochs > 0 ? refitEpochs : null,
        },
        files: saved.files,
        inputs: inputColumns(fitted),
        labels: classes,
        stoppedEarly,
        featureDim: fitted.dim,
        parameters,
        embeddingDim: fitted.embedding?.dim ?? null,
        evaluation: report ? { split, report } : null,
      });
    } finally {
      if (keptModel !== currentModel) disposeNetwork(keptModel);
      if (refitModel) disposeNetwork(refitModel);
    }
    return 'completed';
  } catch (err) {
    throw asFailure(err);
  } finally {
    if (model) disposeNetwork(model);
  }
}

/**
 * Once early stopping has chosen the epoch count on the held-out rows, those rows are worth more as training
 * data: a fresh network (or the base model again, when fine-tuning) trains on every labelled row for that many
 * epochs, with the same settings. Null when cancelled; a pause asked for meanwhile waits for it to finish.
 */
async function refit(
  job: TrainJob,
  fitted: FittedFeatures,
  epochs: number,
  batches: () => AsyncIterable<EncodedRow[]>,
  fit: (m: tf.LayersModel, f: SparseFitter | null, opts: FitOptions) => Promise<void>,
  control: TrainerControl,
): Promise<tf.LayersModel | null> {
  const { config } = job;
  let model: tf.LayersModel;
  if (job.baseModelDir) {
    model = await tf.loadLayersModel(fileLoader(job.baseModelDir));
    disposeOptimizer(model);
  } else {
    model = buildNetwork({ ...config, input: modelInputOf(config) }, fitted.dim, outputUnits(config.task, fitted.label.kind === 'classification' ? fitted.label.classes.length : 1));
  }
  compileNetwork(model, config);
  model.setUserDefinedMetadata(featureInputMetadata(config));
  const fitter = modelInputOf(config) === 'sparse' ? new SparseFitter(model, config) : null;
  let cancelled = false;
  await fit(model, fitter, {
    epochs,
    train: batches,
    classWeight: classWeights(fitted, config),
    callbacks: {
      onBatchEnd: async () => {
        if (control.requested() !== 'cancel') return;
        cancelled = true;
        model.stopTraining = true;
      },
    },
  });
  if (!cancelled) {
    fitter?.syncModel();
    return model;
  }
  disposeNetwork(model);
  return null;
}

/** The embedding phase of a job on an encoder; a failure of the encoder fails the job with its reason. */
async function embedDataset(job: TrainJob, encoder: EncoderJob, totalRows: number, control: TrainerControl, emit: (e: TrainerEvent) => void) {
  const column = job.config.textColumn;
  if (!column) throw new TrainingFailure('INVALID_DATASET', 'an encoder needs a text column');
  try {
    return await ensureEmbeddings({ jobId: job.jobId, dataset: job.dataset, column, totalRows, encoder }, () => control.requested(), (progress) => emit({ type: 'embedding', progress }));
  } catch (err) {
    throw new TrainingFailure('TRAINING_FAILED', `the encoder ${encoder.ref.repoId} could not embed the dataset: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** fitDataset over the same batches and callbacks as fitSparse: tensors are made batch by batch. */
async function fitDense(model: tf.LayersModel, opts: FitOptions, dim: number, classes: number | null): Promise<void> {
  const tensors = (batches: () => AsyncIterable<EncodedRow[]>) =>
    tf.data.generator(() =>
      (async function* () {
        for await (const batch of batches()) yield batchTensors(batch, dim, classes);
      })(),
    );
  await model.fitDataset(tensors(opts.train), {
    epochs: opts.epochs,
    initialEpoch: opts.initialEpoch,
    validationData: opts.validation ? tensors(opts.validation) : undefined,
    classWeight: opts.classWeight,
    verbose: 0,
    callbacks: opts.callbacks as tf.CustomCallbackArgs,
  });
}

function sparseStateFiles(fitter: SparseFitter): Record<string, string | Uint8Array> {
  const { meta, data } = fitter.optimizerState();
  return { [SPARSE_STATE_JSON]: JSON.stringify(meta), [SPARSE_STATE_BIN]: data };
}

/** A checkpoint from before the sparse loop has no table state: its moments then start from zero. */
async function restoreSparseState(fitter: SparseFitter, dir: string): Promise<void> {
  const meta = await fs.readFile(path.join(dir, SPARSE_STATE_JSON), 'utf8').catch(() => null);
  if (meta === null) return;
  fitter.restoreOptimizer(JSON.parse(meta) as TableOptimizerMeta, new Uint8Array(await fs.readFile(path.join(dir, SPARSE_STATE_BIN))));
}

/** A loaded model compiled from its training config owns an optimizer we replace; free its variables first. */
function disposeOptimizer(model: tf.LayersModel): void {
  (model.optimizer as tf.Optimizer | undefined)?.dispose();
}
