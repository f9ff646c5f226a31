import fs from 'node:fs/promises';
import path from 'node:path';
import {
  FeatureError,
  deserializeFeatures,
  encodeDataset,
  fitFeatureExtractor,
  inputColumns,
  serializeFeatures,
  type EncodedDataset,
  type EpochMetrics,
  type ErrorCode,
  type FeatureSpec,
  type FinalTrainingMetrics,
  type FittedFeatures,
  type InputColumn,
  type ModelFile,
  type TfBackendName,
  type TrainingConfig,
  type TrainingProgressState,
} from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';
import { fileLoader, saveModelFolder } from './model-io.js';
import { buildNetwork, compileNetwork, disposeNetwork, outputUnits } from './network.js';
import { loadRows, neededColumns, splitRows, type DatasetSource } from './training-data.js';

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
  /** Refuse datasets whose feature matrix would need more memory than this. */
  maxFeatureBytes: number;
  backend: TfBackendName;
}

export type TrainerEvent =
  | { type: 'started'; backend: TfBackendName; samples: { train: number; validation: number; skipped: number }; featureDim: number; parameters: number; classes: string[] | null }
  | { type: 'progress'; state: TrainingProgressState; phase: 'batch' | 'epoch'; valLoss: number | null; valAccuracy: number | null }
  | { type: 'checkpoint'; epoch: number; step: number; dir: string; metrics: EpochMetrics; sizeBytes: number }
  | { type: 'completed'; metrics: FinalTrainingMetrics; files: ModelFile[]; inputs: InputColumn[]; labels: string[] | null; stoppedEarly: boolean; featureDim: number; parameters: number };

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
const PROGRESS_INTERVAL_MS = 250;

export const checkpointDirName = (epoch: number) => `epoch-${epoch}`;

function featureSpec(config: TrainingConfig): FeatureSpec {
  const text = config.textFeatures;
  return {
    task: config.task,
    labelColumn: config.labelColumn,
    textColumn: config.textColumn,
    featureColumns: config.featureColumns.map((c) => ({ name: c.name, kind: c.kind ?? 'number' })),
    buckets: text?.buckets,
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
class EarlyStopper {
  private best: number | null = null;
  private wait = 0;
  constructor(private readonly cfg: TrainingConfig['earlyStopping']) {}

  /** Feeds one epoch; true when patience has run out. */
  update(m: EpochMetrics): boolean {
    if (!this.cfg) return false;
    const key = ({ val_loss: 'valLoss', val_accuracy: 'valAccuracy', loss: 'loss', accuracy: 'accuracy' } as const)[this.cfg.monitor];
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

function toTensors(data: EncodedDataset, classes: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const x = tf.tensor2d(data.x, [data.rows, data.dim]);
  const labels = data.labels;
  const y =
    labels.kind === 'classification'
      ? tf.tidy(() => tf.oneHot(tf.tensor1d(labels.indices, 'int32'), classes).toFloat() as tf.Tensor2D)
      : tf.tensor2d(labels.values, [data.rows, 1]);
  return { x, y };
}

/**
 * One training run: read the dataset, fit (or reload) the features, build (or reload) the network, model.fit
 * with a checkpoint after every epoch, then save the final model. Every tensor it creates is disposed.
 */
export async function runTraining(job: TrainJob, control: TrainerControl, emit: (e: TrainerEvent) => void): Promise<TrainOutcome> {
  const { config } = job;
  const seed = config.seed ?? 0;
  const owned: tf.Tensor[] = [];
  let model: tf.LayersModel | null = null;
  try {
    const rows = await loadRows(job.dataset, neededColumns(config));
    const { train, validation } = splitRows(rows, config.validationSplit, seed);
    const sourceDir = job.resume?.dir ?? job.baseModelDir;
    const fitted = sourceDir ? await readFeatures(sourceDir) : fitFeatureExtractor(train, featureSpec(config));
    const classes = fitted.label.kind === 'classification' ? [...fitted.label.classes] : null;
    const bytes = (rows.length * fitted.dim + rows.length * (classes?.length ?? 1)) * 4;
    if (bytes > job.maxFeatureBytes) {
      throw new TrainingFailure(
        'INVALID_DATASET',
        `${rows.length} rows × ${fitted.dim} features need ${Math.ceil(bytes / 2 ** 20)} MB, more than ${Math.floor(job.maxFeatureBytes / 2 ** 20)} MB; use fewer text buckets or fewer rows`,
      );
    }
    const trainSet = encodeDataset(fitted, train);
    if (trainSet.rows === 0) throw new TrainingFailure('INVALID_DATASET', `no training row has a usable "${config.labelColumn}" value`);
    const valSet = validation.length > 0 ? encodeDataset(fitted, validation) : null;
    const outputs = outputUnits(config.task, classes?.length ?? 1);
    const t = toTensors(trainSet, outputs);
    owned.push(t.x, t.y);
    const v = valSet && valSet.rows > 0 ? toTensors(valSet, outputs) : null;
    if (v) owned.push(v.x, v.y);

    if (job.resume) {
      // model.json carries the training config: the optimizer comes back compiled, with its saved state.
      model = await tf.loadLayersModel(fileLoader(job.resume.dir));
    } else if (job.baseModelDir) {
      model = await tf.loadLayersModel(fileLoader(job.baseModelDir));
      disposeOptimizer(model);
      compileNetwork(model, config);
    } else {
      model = buildNetwork(config, fitted.dim, outputs);
      compileNetwork(model, config);
    }
    const parameters = model.countParams();
    emit({
      type: 'started',
      backend: job.backend,
      samples: { train: trainSet.rows, validation: valSet?.rows ?? 0, skipped: trainSet.skipped + (valSet?.skipped ?? 0) },
      featureDim: fitted.dim,
      parameters,
      classes,
    });
    const before = control.requested();
    if (before) return before === 'pause' ? 'paused' : 'cancelled';

    const epochs = config.epochs;
    const startEpoch = job.resume?.epoch ?? 0;
    const batches = Math.ceil(trainSet.rows / config.batchSize);
    const stopper = new EarlyStopper(config.earlyStopping);
    for (const h of job.history) if (!h.partial) stopper.update(h);
    const featuresJson = JSON.stringify(serializeFeatures(fitted));
    const sessionStart = Date.now();
    let trainedMs = job.history.reduce((sum, h) => sum + h.durationMs, 0);
    let step = job.resume?.step ?? 0;
    let sessionBatches = 0;
    let batchInEpoch = 0;
    let epochStart = Date.now();
    let lastEmit = 0;
    let stop: 'pause' | 'cancel' | null = null;
    let stoppedEarly = false;
    let epochsDone = startEpoch;
    let last: EpochMetrics | null = job.history.at(-1) ?? null;
    const currentModel = model;

    const state = (epochIndex: number, loss: number | null, accuracy: number | null): TrainingProgressState => {
      const elapsed = (Date.now() - epochStart) / 1000;
      const samplesDone = Math.min(trainSet.rows, batchInEpoch * config.batchSize);
      const perBatch = sessionBatches > 0 ? (Date.now() - sessionStart) / 1000 / sessionBatches : null;
      const remaining = (epochs - epochIndex - 1) * batches + (batches - batchInEpoch);
      return {
        epoch: epochIndex + 1,
        epochs,
        batch: batchInEpoch,
        batches,
        progress: Math.min(100, ((epochIndex + batchInEpoch / batches) / epochs) * 100),
        loss,
        accuracy,
        samplesPerSecond: elapsed > 0 ? samplesDone / elapsed : null,
        etaSeconds: perBatch === null ? null : Math.max(0, remaining * perBatch),
      };
    };

    let epochIndex = startEpoch;
    await currentModel.fit(t.x, t.y, {
      epochs,
      initialEpoch: startEpoch,
      batchSize: config.batchSize,
      shuffle: true,
      validationData: v ? [v.x, v.y] : undefined,
      verbose: 0,
      callbacks: {
        onEpochBegin: async (epoch) => {
          epochIndex = epoch;
          batchInEpoch = 0;
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
          const partial = batchInEpoch < batches;
          const durationMs = Date.now() - epochStart;
          const metrics: EpochMetrics = {
            epoch: epoch + 1,
            loss: num(logs?.loss),
            accuracy: num(logs?.acc),
            valLoss: num(logs?.val_loss),
            valAccuracy: num(logs?.val_acc),
            durationMs,
            samplesPerSecond: durationMs > 0 ? (Math.min(trainSet.rows, batchInEpoch * config.batchSize) * 1000) / durationMs : null,
            partial,
          };
          last = metrics;
          epochsDone = epoch + 1;
          trainedMs += durationMs;
          lastEmit = Date.now();
          emit({ type: 'progress', phase: 'epoch', state: { ...state(epoch, metrics.loss, metrics.accuracy), batch: batchInEpoch, progress: ((epoch + 1) / epochs) * 100 }, valLoss: metrics.valLoss, valAccuracy: metrics.valAccuracy });
          const dir = path.join(job.checkpointsDir, checkpointDirName(epoch + 1));
          const saved = await saveModelFolder(currentModel, dir, {
            includeOptimizer: true,
            extraFiles: {
              [FEATURES_JSON]: featuresJson,
              [CHECKPOINT_JSON]: JSON.stringify({ jobId: job.jobId, epoch: epoch + 1, step, metrics }),
            },
          });
          emit({ type: 'checkpoint', epoch: epoch + 1, step, dir, metrics, sizeBytes: saved.files.reduce((s, f) => s + f.sizeBytes, 0) });
          if (!partial && stopper.update(metrics) && epoch + 1 < epochs) {
            stoppedEarly = true;
            currentModel.stopTraining = true;
          }
        },
      },
    });

    if (stop === 'cancel') return 'cancelled';
    if (stop === 'pause' && epochsDone < epochs && !stoppedEarly) return 'paused';

    const final = last as EpochMetrics | null;
    const saved = await saveModelFolder(currentModel, job.modelDir, {
      includeOptimizer: false,
      extraFiles: {
        [FEATURES_JSON]: featuresJson,
        [LABELS_JSON]: JSON.stringify({ task: config.task, labelColumn: config.labelColumn, labels: classes }),
      },
    });
    emit({
      type: 'completed',
      metrics: {
        loss: final?.loss ?? null,
        accuracy: final?.accuracy ?? null,
        valLoss: final?.valLoss ?? null,
        valAccuracy: final?.valAccuracy ?? null,
        epochs: epochsDone,
        durationMs: trainedMs,
      },
      files: saved.files,
      inputs: inputColumns(fitted),
      labels: classes,
      stoppedEarly,
      featureDim: fitted.dim,
      parameters,
    });
    return 'completed';
  } catch (err) {
    throw asFailure(err);
  } finally {
    if (model) disposeNetwork(model);
    tf.dispose(owned);
  }
}

/** A loaded model compiled from its training config owns an optimizer we replace; free its variables first. */
function disposeOptimizer(model: tf.LayersModel): void {
  (model.optimizer as tf.Optimizer | undefined)?.dispose();
}
