import { z } from 'zod';
import { labelNamesSchema, layerSchema, MODEL_INPUTS, TRAINING_TASKS, type TrainedModel } from './training.js';

/**
 * A trained model as one .zip (GET /api/models/:id/export, POST /api/models/import): every entry at the root,
 * named below; the weights are the .bin files model.json's weightsManifest names.
 */
export const MODEL_ARCHIVE_FORMAT = 'sokhan-model';
export const MODEL_ARCHIVE_VERSION = 1;

export const MODEL_ARCHIVE_FILES = {
  manifest: 'manifest.json',
  model: 'model.json',
  features: 'features.json',
  labels: 'labels.json',
  metrics: 'metrics.json',
  readme: 'README.md',
  featurize: 'featurize.js',
} as const;

/** Weight files: plain names ending in .bin (what tf.io writes: weights.bin, group1-shard1of2.bin). */
export const WEIGHTS_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,123}\.bin$/;

/**
 * What an import accepts. The largest model training allows (25 M weights, 2^20 text buckets) is about 100 MB
 * of weights and 20 MB of features.json, so these leave room without letting a crafted file fill the disk.
 */
export const MODEL_ARCHIVE_LIMITS = {
  /** The uploaded .zip (413 past it). */
  maxArchiveBytes: 256 * 2 ** 20,
  /** Every entry's uncompressed size together, as declared and as actually inflated. */
  maxUncompressedBytes: 320 * 2 ** 20,
  maxEntries: 32,
} as const;

/** Why an archive was refused (422 INVALID_MODEL_ARCHIVE, or 413 for the two size limits). */
export const MODEL_ARCHIVE_REASONS = [
  'not-a-zip',
  'truncated',
  'too-many-entries',
  'too-large',
  'unsafe-path',
  'absolute-path',
  'symlink',
  'duplicate-entry',
  'unexpected-entry',
  'missing-entry',
  'encrypted',
  'unsupported-compression',
  'corrupt-entry',
  'invalid-json',
  'invalid-manifest',
  'unsupported-version',
  'file-mismatch',
  'invalid-features',
  'invalid-labels',
  'invalid-metrics',
  'invalid-model',
  'weights-mismatch',
  'model-load-failed',
  'output-mismatch',
] as const;
export type ModelArchiveReason = (typeof MODEL_ARCHIVE_REASONS)[number];

/** The details of an INVALID_MODEL_ARCHIVE answer: the reason, the entry it concerns (when one), and why in English. */
export interface ModelArchiveProblem {
  reason: ModelArchiveReason;
  entry: string | null;
  message: string;
}

const columnName = z.string().min(1).max(256);
const isoDate = z.iso.datetime({ offset: true });
const nullableNumber = z.number().refine(Number.isFinite, { error: 'must be a finite number' }).nullable();

/** FinalTrainingMetrics: the named figures, plus any other figure the trainer adds (all numbers or null). */
const finalMetricsSchema = z
  .object({
    loss: nullableNumber,
    accuracy: nullableNumber,
    valLoss: nullableNumber,
    valAccuracy: nullableNumber,
    epochs: z.number().int().min(0),
    durationMs: z.number().min(0),
    bestEpoch: z.number().int().min(0).nullable(),
  })
  .catchall(nullableNumber);

/** Read first and alone, so an archive of another format or version is told apart from a broken one. */
export const modelArchiveHeaderSchema = z.object({ format: z.literal(MODEL_ARCHIVE_FORMAT), version: z.number().int() });

/** manifest.json: what the archive is, where it came from, and every other entry with its size and SHA-256. */
export const modelArchiveManifestSchema = z.strictObject({
  format: z.literal(MODEL_ARCHIVE_FORMAT),
  version: z.literal(MODEL_ARCHIVE_VERSION),
  sokhanVersion: z.string().min(1).max(64),
  /** When the archive was made. */
  createdAt: isoDate,
  model: z.strictObject({
    id: z.uuid(),
    name: z.string().trim().min(1).max(200),
    task: z.enum(TRAINING_TASKS),
    /** When the model was trained (or first imported). */
    createdAt: isoDate,
    textColumn: columnName.nullable(),
    featureColumns: z.array(columnName).max(512),
    labelColumn: columnName,
    input: z.enum(MODEL_INPUTS),
    layers: z.array(layerSchema).max(16),
    featureDim: z.number().int().min(1).nullable(),
    parameters: z.number().int().min(1).nullable(),
    metrics: finalMetricsSchema.nullable(),
  }),
  files: z
    .array(z.strictObject({ name: z.string().min(1).max(128), sizeBytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }))
    .min(1)
    .max(MODEL_ARCHIVE_LIMITS.maxEntries),
});
export type ModelArchiveManifest = z.infer<typeof modelArchiveManifestSchema>;

/** labels.json: the classes in model output order (null for regression) and their display names. */
export const modelArchiveLabelsSchema = z.strictObject({
  task: z.enum(TRAINING_TASKS),
  labelColumn: columnName,
  labels: z.array(z.string().min(1)).min(2).nullable(),
  labelNames: labelNamesSchema,
});
export type ModelArchiveLabels = z.infer<typeof modelArchiveLabelsSchema>;

const unit = z.number().min(0).max(1);
const count = z.number().int().min(0);

/** A ClassificationReport (common/features/metrics), checked to be square and one row per class (readonly, as that type is). */
export const classificationReportSchema = z
  .strictObject({
    labels: z.array(z.string().min(1)).min(2).readonly(),
    confusion: z.array(z.array(count).readonly()).readonly(),
    rows: count,
    accuracy: unit,
    macroF1: unit,
    perClass: z.array(z.strictObject({ label: z.string().min(1), precision: unit, recall: unit, f1: unit, support: count }).readonly()).readonly(),
  })
  .superRefine((r, ctx) => {
    const k = r.labels.length;
    if (r.confusion.length !== k || r.confusion.some((row) => row.length !== k)) ctx.addIssue({ code: 'custom', path: ['confusion'], message: `must be ${k} × ${k}` });
    if (r.perClass.length !== k || r.perClass.some((c, i) => c.label !== r.labels[i])) ctx.addIssue({ code: 'custom', path: ['perClass'], message: 'one entry per class, in label order' });
    if (r.confusion.flat().reduce((a, b) => a + b, 0) !== r.rows) ctx.addIssue({ code: 'custom', path: ['rows'], message: 'must equal the confusion matrix total' });
  });

/** metrics.json: the final training figures and every stored evaluation (the held-out one and later test files). */
export const modelArchiveMetricsSchema = z.strictObject({
  final: finalMetricsSchema.nullable(),
  evaluations: z
    .array(
      z.strictObject({
        split: z.enum(['validation', 'training', 'dataset']),
        /** The dataset's name where the model was evaluated (null when it is gone). */
        dataset: z.string().max(500).nullable(),
        createdAt: isoDate,
        report: classificationReportSchema,
      }),
    )
    .max(1000),
});
export type ModelArchiveMetrics = z.infer<typeof modelArchiveMetricsSchema>;

/** `GET /api/models`: my ready trained models, imported ones included, newest first. */
export interface TrainedModelListResponse {
  items: TrainedModel[];
}
