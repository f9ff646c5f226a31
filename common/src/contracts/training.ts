import { z } from 'zod';
import { pageQuerySchema, type Page } from './paging.js';
import type { EncoderRef, InputColumn, LabelProbability } from '../features/types.js';
import type { ClassificationReport } from '../features/metrics.js';
import { SPARSE_POOLINGS } from '../features/sparse.js';
import { DATASET_LIMITS, DATASET_TYPES } from './datasets.js';
import type { TfBackendName } from './system.js';

/** The learning tasks a job can train (the same names as dataset types). */
export const TRAINING_TASKS = DATASET_TYPES;
export type TrainingTask = (typeof TRAINING_TASKS)[number];

export const ACTIVATIONS = ['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'softplus', 'softsign', 'relu6', 'swish', 'gelu', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const TRAINING_STATUSES = ['queued', 'running', 'pausing', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type TrainingStatus = (typeof TRAINING_STATUSES)[number];
/** Statuses a job can still leave (it holds its dataset). */
export const ACTIVE_TRAINING_STATUSES = ['queued', 'running', 'pausing', 'paused'] as const satisfies readonly TrainingStatus[];

export const EARLY_STOPPING_MONITORS = ['val_loss', 'val_accuracy', 'loss', 'accuracy'] as const;
export type EarlyStoppingMonitor = (typeof EARLY_STOPPING_MONITORS)[number];

/**
 * How the first layer reads the features: 'sparse' sums weight × embedding over each row's non-zeros (the
 * default for text), 'dense' multiplies full rows (the default for tabular data). Same function, less work.
 */
export const MODEL_INPUTS = ['sparse', 'dense'] as const;
export type ModelInput = (typeof MODEL_INPUTS)[number];
/**
 * 'balanced' weighs each class by rows / (classes × its rows), as scikit-learn's class_weight='balanced';
 * 'sqrt' by the square root of that (rare classes gain recall without the common ones losing much precision).
 */
export const CLASS_WEIGHTINGS = ['none', 'balanced', 'sqrt'] as const;
export type ClassWeighting = (typeof CLASS_WEIGHTINGS)[number];

/** Bounds of every setting; the form shows them and the server enforces them. */
export const TRAINING_LIMITS = {
  maxLayers: 16,
  minUnits: 1,
  maxUnits: 4096,
  /** Dropout rate in [0, maxDropout]. */
  maxDropout: 0.9,
  minLearningRate: 1e-6,
  maxLearningRate: 1,
  minEpochs: 1,
  maxEpochs: 1000,
  minBatchSize: 1,
  maxBatchSize: 4096,
  /** Validation split in [0, maxValidationSplit]. */
  maxValidationSplit: 0.5,
  maxPatience: 100,
  /** L2 penalty on the weights: l2 × Σw² is added to the mean loss. */
  maxL2: 1,
  maxSeed: 2_147_483_647,
  /** Buckets of the hashed text features: a power of two in [minBuckets, maxBuckets]. */
  minBuckets: 256,
  maxBuckets: 1_048_576,
  maxFeatureColumns: 512,
  /** Trainable weights of the whole network (input × units + biases ...). */
  maxParameters: 25_000_000,
  /** Characters of a class's display name. */
  maxLabelName: 100,
} as const;

/**
 * Chosen by measurement on SentiPers (5 classes, scripts/bench/text-classification.bench.ts): a sparse multinomial
 * logistic regression over 2^16 hashed buckets with a small L2 penalty, square-root class weights, early stopping
 * on validation loss, then a refit on all rows for the chosen epoch count. 2^16 buckets score as 2^17 and 2^18
 * did (test accuracy 0.676 / 0.675 / 0.675) for a quarter of the table the optimizer updates every step;
 * batches of 256 at a higher rate need a quarter of the steps of 64 for the same accuracy.
 */
export const TRAINING_DEFAULTS = {
  layers: [] as readonly LayerConfigDefault[],
  optimizer: 'adam',
  learningRate: 0.04,
  epochs: 20,
  batchSize: 256,
  validationSplit: 0.1,
  buckets: 65_536,
  pooling: 'tfidf',
  classWeight: 'sqrt',
  l2: 0.00002,
  refit: true,
  earlyStopping: { monitor: 'val_loss', patience: 2, minDelta: 0, restoreBest: true },
} as const;
/**
 * Text buckets when the config leaves them out: 2^16 for the sparse linear head (its cost grows with the
 * non-zeros, not the buckets), the smaller dense default when a hidden layer multiplies every bucket by its units.
 */
export function defaultTextBuckets(input: ModelInput, layers: readonly { type: string }[]): number {
  return input === 'sparse' && !layers.some((l) => l.type === 'dense') ? TRAINING_DEFAULTS.buckets : 4096;
}
type LayerConfigDefault = { type: 'dense'; units: number; activation: Activation } | { type: 'dropout'; rate: number };

const columnName = z.string().min(1).max(256);

export const denseLayerSchema = z.strictObject({
  type: z.literal('dense'),
  units: z.number().int().min(TRAINING_LIMITS.minUnits).max(TRAINING_LIMITS.maxUnits),
  activation: z.enum(ACTIVATIONS).default('relu'),
});
export const dropoutLayerSchema = z.strictObject({
  type: z.literal('dropout'),
  rate: z.number().min(0).max(TRAINING_LIMITS.maxDropout),
});
/** Hidden layers; the output layer (softmax over the classes, or one linear unit) is added by the server. */
export const layerSchema = z.discriminatedUnion('type', [denseLayerSchema, dropoutLayerSchema]);
export type LayerConfig = z.infer<typeof layerSchema>;

export const earlyStoppingSchema = z.strictObject({
  monitor: z.enum(EARLY_STOPPING_MONITORS).default('val_loss'),
  /** Epochs without improvement before stopping. */
  patience: z.number().int().min(1).max(TRAINING_LIMITS.maxPatience).default(5),
  /** The smallest change that counts as an improvement. */
  minDelta: z.number().min(0).max(10).default(0),
  /** Keep the weights of the best epoch (by the monitor) as the saved model, not the last epoch's. */
  restoreBest: z.boolean().default(true),
});
export type EarlyStoppingConfig = z.infer<typeof earlyStoppingSchema>;

const ngramRange = (limit: number) =>
  z
    .strictObject({ min: z.number().int().min(1).max(limit), max: z.number().int().min(1).max(limit) })
    .refine((r) => r.max >= r.min, { error: 'max must be at least min' });

/** Text feature settings (hashed word and character n-grams, TF-IDF). */
export const textFeaturesSchema = z.strictObject({
  buckets: z
    .number()
    .int()
    .min(TRAINING_LIMITS.minBuckets)
    .max(TRAINING_LIMITS.maxBuckets)
    .refine((n) => (n & (n - 1)) === 0, { error: 'buckets must be a power of two' })
    .default(TRAINING_DEFAULTS.buckets),
  /** Word n-grams (default 1–2); false switches them off. */
  word: z.union([ngramRange(3), z.literal(false)]).optional(),
  /** Character n-grams inside words (default 2–4); false switches them off. */
  char: z.union([ngramRange(6), z.literal(false)]).optional(),
});

export const featureColumnConfigSchema = z.strictObject({
  name: columnName,
  /** Defaults to the dataset's inferred type: number → number, anything else → category. */
  kind: z.enum(['number', 'category']).optional(),
});

/**
 * Display names of the classes, keyed by the raw label value as a string ("-2" → «خیلی منفی»). Classes left out
 * show their value. The server refuses keys that are not classes of the label column.
 */
export const labelNamesSchema = z
  .record(columnName, z.string().trim().min(1).max(TRAINING_LIMITS.maxLabelName))
  // No more classes than a dataset column tracks values; the server checks them against the label column.
  .refine((names) => Object.keys(names).length <= DATASET_LIMITS.maxTrackedValues, { error: `at most ${DATASET_LIMITS.maxTrackedValues} class names` });
export type LabelNames = z.infer<typeof labelNamesSchema>;

/** The name a class is shown by: its display name, or its raw value. */
export function labelName(names: Readonly<LabelNames> | null | undefined, label: string): string {
  return (names && Object.hasOwn(names, label) ? names[label] : undefined) ?? label;
}

/**
 * Training on an installed Hub model that runs feature-extraction here: its embedding of the text column (computed
 * once per dataset, encoder and revision, and cached) replaces the hashed n-grams, and the network is the head.
 */
export const encoderConfigSchema = z.strictObject({
  /** The installed model (models.id, as /api/sources/installed lists it). */
  modelId: z.uuid(),
  pooling: z.enum(['mean', 'cls']).default('mean'),
});
export type EncoderConfig = z.output<typeof encoderConfigSchema>;

const trainingConfigObject = z.strictObject({
  /** Name of the model the job produces (default: dataset name and date). */
  name: z.string().trim().min(1).max(200).optional(),
  datasetId: z.uuid(),
  task: z.enum(TRAINING_TASKS),
  /** The text input (required for text-classification, optional for tabular tasks). */
  textColumn: columnName.optional(),
  /** Tabular inputs. */
  featureColumns: z.array(featureColumnConfigSchema).max(TRAINING_LIMITS.maxFeatureColumns).default([]),
  labelColumn: columnName,
  /** Classification only: what to call each class (see labelNamesSchema). */
  labelNames: labelNamesSchema.optional(),
  layers: z
    .array(layerSchema)
    .max(TRAINING_LIMITS.maxLayers)
    .default(() => TRAINING_DEFAULTS.layers.map((l) => ({ ...l }))),
  optimizer: z.enum(OPTIMIZERS).default(TRAINING_DEFAULTS.optimizer),
  learningRate: z.number().min(TRAINING_LIMITS.minLearningRate).max(TRAINING_LIMITS.maxLearningRate).default(TRAINING_DEFAULTS.learningRate),
  epochs: z.number().int().min(TRAINING_LIMITS.minEpochs).max(TRAINING_LIMITS.maxEpochs).default(TRAINING_DEFAULTS.epochs),
  batchSize: z.number().int().min(TRAINING_LIMITS.minBatchSize).max(TRAINING_LIMITS.maxBatchSize).default(TRAINING_DEFAULTS.batchSize),
  validationSplit: z.number().min(0).max(TRAINING_LIMITS.maxValidationSplit).default(TRAINING_DEFAULTS.validationSplit),
  /** Left out: on (val_loss, TRAINING_DEFAULTS.earlyStopping) when there is a validation split; null: off. */
  earlyStopping: earlyStoppingSchema.nullable().optional(),
  /** Left out: sparse for text classification, dense otherwise. */
  input: z.enum(MODEL_INPUTS).optional(),
  /** Sparse models: TF-IDF weights, or the fastText-style mean of the n-gram embeddings. */
  pooling: z.enum(SPARSE_POOLINGS).default(TRAINING_DEFAULTS.pooling),
  classWeight: z.enum(CLASS_WEIGHTINGS).default(TRAINING_DEFAULTS.classWeight),
  /** L2 penalty on the first layer's weights (the sparse embedding or the first dense kernel); 0 is none. */
  l2: z.number().min(0).max(TRAINING_LIMITS.maxL2).default(TRAINING_DEFAULTS.l2),
  /**
   * With early stopping on a validation split: once it has chosen the epoch count, train again on all rows
   * (validation included) for that many epochs and save that model. The evaluation stays the held-out one.
   */
  refit: z.boolean().default(TRAINING_DEFAULTS.refit),
  /** Makes weight initialisation, dropout and the train/validation split repeatable; chosen at random when left out. */
  seed: z.number().int().min(0).max(TRAINING_LIMITS.maxSeed).optional(),
  textFeatures: textFeaturesSchema.optional(),
  /** Read the text column through an encoder (see encoderConfigSchema); the network then reads it densely. */
  encoder: encoderConfigSchema.optional(),
});

type ConfigShape = z.output<typeof trainingConfigObject>;

function refineConfig(c: ConfigShape, ctx: z.RefinementCtx): void {
  if (c.task === 'text-classification' && !c.textColumn) {
    ctx.addIssue({ code: 'custom', path: ['textColumn'], message: 'text-classification needs a text column' });
  }
  if (c.task !== 'text-classification' && !c.textColumn && c.featureColumns.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['featureColumns'], message: 'tabular tasks need at least one feature column' });
  }
  const seen = new Set<string>();
  const inputs: [string, (string | number)[]][] = [];
  if (c.textColumn) inputs.push([c.textColumn, ['textColumn']]);
  c.featureColumns.forEach((f, i) => inputs.push([f.name, ['featureColumns', i, 'name']]));
  for (const [name, path] of inputs) {
    if (name === c.labelColumn) ctx.addIssue({ code: 'custom', path, message: 'the label column cannot also be an input' });
    if (seen.has(name)) ctx.addIssue({ code: 'custom', path, message: `column "${name}" is used twice` });
    seen.add(name);
  }
  if (c.task === 'tabular-regression' && c.labelNames && Object.keys(c.labelNames).length > 0) {
    ctx.addIssue({ code: 'custom', path: ['labelNames'], message: 'regression has no classes to name' });
  }
  if (c.textFeatures && c.textFeatures.word === false && c.textFeatures.char === false) {
    ctx.addIssue({ code: 'custom', path: ['textFeatures'], message: 'word and character n-grams cannot both be off' });
  }
  if (c.encoder) {
    if (!c.textColumn) ctx.addIssue({ code: 'custom', path: ['encoder'], message: 'an encoder needs a text column to embed' });
    if (c.input === 'sparse') ctx.addIssue({ code: 'custom', path: ['input'], message: 'an embedding is read densely: leave input out or set it to dense' });
    if (c.textFeatures) ctx.addIssue({ code: 'custom', path: ['textFeatures'], message: 'n-gram settings do not apply to an encoder' });
  }
  const monitor = c.earlyStopping?.monitor;
  if (monitor?.startsWith('val_') && c.validationSplit === 0) {
    ctx.addIssue({ code: 'custom', path: ['earlyStopping', 'monitor'], message: `${monitor} needs a validation split above 0` });
  }
  if (c.task === 'tabular-regression' && (monitor === 'accuracy' || monitor === 'val_accuracy')) {
    ctx.addIssue({ code: 'custom', path: ['earlyStopping', 'monitor'], message: 'regression has no accuracy to monitor' });
  }
}

/** A training configuration as stored with the job (defaults filled in). */
export const trainingConfigSchema = trainingConfigObject.superRefine(refineConfig);
export type TrainingConfig = z.output<typeof trainingConfigSchema>;
export type TrainingConfigInput = z.input<typeof trainingConfigSchema>;

/**
 * `POST /api/training`: the configuration plus, for fine-tuning, `modelId` of one of your trained models
 * (its network, features and classes are kept; task, text column and label column must match it).
 */
export const createTrainingRequestSchema = trainingConfigObject
  .extend({ modelId: z.uuid().optional() })
  .superRefine((c, ctx) => refineConfig(c, ctx));
export type CreateTrainingRequest = z.input<typeof createTrainingRequestSchema>;

export const trainingIdParamsSchema = z.object({ id: z.uuid() });

export const trainingListQuerySchema = z.object({
  /** One status or several separated by commas. */
  status: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const parts = s.split(',').map((p) => p.trim()).filter(Boolean);
      for (const p of parts) {
        if (!(TRAINING_STATUSES as readonly string[]).includes(p)) {
          ctx.addIssue({ code: 'custom', message: `unknown status "${p}"` });
          return z.NEVER;
        }
      }
      return parts as TrainingStatus[];
    }),
  ...pageQuerySchema(100, 20).shape,
});
export type TrainingListQuery = z.infer<typeof trainingListQuerySchema>;

/** Metrics of one epoch (accuracy is null for regression, val* null without a validation split). */
export interface EpochMetrics {
  /** 1-based. */
  epoch: number;
  loss: number | null;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  durationMs: number;
  samplesPerSecond: number | null;
  /** The epoch was cut short by a pause (training resumed at the next epoch). */
  partial: boolean;
}

/** Where a running job is inside its current epoch (the last progress event, kept on the row). */
export interface TrainingProgressState {
  /** 1-based epoch being trained, of `epochs`. */
  epoch: number;
  epochs: number;
  /** Batches done in this epoch, of `batches`. */
  batch: number;
  batches: number;
  /** 0–100 over the whole job. */
  progress: number;
  loss: number | null;
  accuracy: number | null;
  samplesPerSecond: number | null;
  etaSeconds: number | null;
}

export interface FinalTrainingMetrics {
  loss: number | null;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  /** Epochs actually trained (fewer than configured after early stopping). */
  epochs: number;
  durationMs: number;
  /** The epoch whose weights the model holds (the best one when early stopping restores it). */
  bestEpoch: number | null;
  [key: string]: number | null;
}

/** Classification figures of a model on a set of rows (see common/features/metrics). */
export interface ModelEvaluation {
  id: string;
  modelId: string;
  trainingJobId: string | null;
  datasetId: string | null;
  /** Rows the job held out, the rows it trained on (no validation split), or another dataset's rows. */
  split: 'validation' | 'training' | 'dataset';
  report: ClassificationReport;
  createdAt: string;
}

/** `POST /api/models/:id/evaluate`: the model's figures on one of your datasets (with its input and label columns). */
export const evaluateModelRequestSchema = z.strictObject({ datasetId: z.uuid() });
export type EvaluateModelRequest = z.input<typeof evaluateModelRequestSchema>;

export interface EvaluateModelResponse {
  evaluation: ModelEvaluation;
  /** Rows left out: no label, or a label the model does not know. */
  skipped: number;
}

/** `GET /api/models/:id/evaluations`: newest first, the training job's own included. */
export interface ModelEvaluationListResponse {
  items: ModelEvaluation[];
}

/** Where the encoder stands in embedding a job's dataset (`training:embedding`, kept as `metrics.embedding`). */
export interface EmbeddingProgress {
  /** The installed encoder (models.id) and its repository. */
  encoderId: string;
  repoId: string;
  /** Rows of the file embedded so far (those already in the cache included), of `total`. */
  rows: number;
  total: number;
  /** Every row came from the cache: none was embedded for this job. */
  cached: boolean;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  /** The cache is complete; training of the head follows. */
  done: boolean;
  dim: number;
}

export interface TrainingMetrics {
  /** TensorFlow.js backend the job trained on. */
  backend: TfBackendName | null;
  /** Jobs on an encoder: its embedding of the dataset (null before it starts, and for every other job). */
  embedding?: EmbeddingProgress | null;
  history: EpochMetrics[];
  current: TrainingProgressState | null;
  final: FinalTrainingMetrics | null;
  best: { epoch: number; valLoss: number } | null;
  samples: { train: number; validation: number; skipped: number } | null;
  featureDim: number | null;
  parameters: number | null;
  classes: string[] | null;
  stoppedEarly: boolean;
}

export interface TrainingError {
  code: string;
  message: string;
}

export interface TrainingJob {
  id: string;
  status: TrainingStatus;
  /** 0–100 over all epochs. */
  progress: number;
  name: string;
  task: TrainingTask;
  datasetId: string | null;
  /** The model the job produces (ready when the job completes). */
  modelId: string | null;
  /** The trained model it continues from (fine-tuning), if any. */
  baseModelId: string | null;
  /** Epochs completed so far, of `config.epochs`. */
  epochsCompleted: number;
  latest: EpochMetrics | null;
  error: TrainingError | null;
  backend: TfBackendName | null;
  config: TrainingConfig;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Checkpoint {
  id: string;
  jobId: string;
  epoch: number;
  /** Batches trained so far over all epochs. */
  step: number;
  loss: number | null;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  /** Lowest validation loss of the job (or lowest loss without validation). */
  best: boolean;
  partial: boolean;
  sizeBytes: number;
  createdAt: string;
}

export interface ModelFile {
  name: string;
  sizeBytes: number;
}

/** A trained model, as the job page and the playground need it. */
export interface TrainedModel {
  id: string;
  name: string;
  status: 'pending' | 'training' | 'ready' | 'failed';
  task: TrainingTask;
  /** The inputs to ask for (text column, feature columns with their known category values). */
  inputs: InputColumn[];
  /** Output classes in model order (null for regression). */
  labels: string[] | null;
  /** Display names of the classes chosen at training (see labelName); null when none were given. */
  labelNames: LabelNames | null;
  /** Files under GET /api/models/:id/files/:name (model.json, weights.bin, features.json, labels.json). */
  files: ModelFile[];
  metrics: FinalTrainingMetrics | null;
  datasetId: string | null;
  trainingJobId: string | null;
  createdAt: string;
  /** When it came in from an exported archive (POST /api/models/import); null for a model trained here. */
  importedAt: string | null;
  /** A model on an encoder: what embeds its text column (files under GET /api/models/:id/encoder/<path>); else null. */
  encoder: TrainedModelEncoder | null;
}

export interface TrainedModelEncoder extends EncoderRef {
  /** The installed model it reads through; null once that model has been removed (predict then fails with ENCODER_MISSING). */
  installedId: string | null;
  dim: number;
  /** The encoder's repository files the browser loads (config, tokenizer, the ONNX variant), relative paths. */
  files: string[];
}

export interface TrainingJobDetail extends TrainingJob {
  metrics: TrainingMetrics;
  /**
   * The held-out figures of the job (classification, once completed): the kept epoch on the validation rows. With
   * refit the saved model then trained on those rows too, so this is the honest estimate of it, not a score of it.
   */
  evaluation: ModelEvaluation | null;
  checkpoints: Checkpoint[];
  model: TrainedModel | null;
}

export type TrainingListResponse = Page<TrainingJob>;

export interface CheckpointListResponse {
  items: Checkpoint[];
}

export const trainedModelParamsSchema = z.object({ id: z.uuid() });
/** `GET /api/models/:id/encoder/<path>`: one of `encoder.files` (repository paths such as onnx/model.onnx). */
export const encoderFileParamsSchema = z.object({
  id: z.uuid(),
  path: z.string().regex(/^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,127}\/){0,3}[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a repository file path'),
});
/** Artifact names are plain file names: no folders, no dot files. */
export const modelFileParamsSchema = z.object({
  id: z.uuid(),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a plain file name'),
});

export const PREDICT_MAX_INPUTS = 1000;
const predictCell = z.union([z.string().max(100_000), z.number(), z.boolean(), z.null()]);
const predictRow = z.record(z.string().min(1).max(256), predictCell);
/** `POST /api/models/:id/predict`: one input row or a list, keyed by the model's input column names. */
export const predictRequestSchema = z.strictObject({
  inputs: z.union([predictRow, z.array(predictRow).min(1).max(PREDICT_MAX_INPUTS)]),
});
export type PredictRequest = z.input<typeof predictRequestSchema>;

/** A class's probability with its display name (the raw value when it has none). */
export interface NamedLabelProbability extends LabelProbability {
  readonly name: string;
}
export interface ClassificationPrediction {
  /** The raw class value, as in the dataset. */
  label: string;
  /** Its display name (labelName). */
  name: string;
  probability: number;
  /** Every class, most likely first. */
  probabilities: NamedLabelProbability[];
}
export interface RegressionPrediction {
  value: number;
}

export interface PredictResponse {
  modelId: string;
  task: TrainingTask;
  predictions: (ClassificationPrediction | RegressionPrediction)[];
  backend: TfBackendName;
  durationMs: number;
}
