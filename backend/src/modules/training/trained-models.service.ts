import fs from 'node:fs/promises';
import path from 'node:path';
import {
  cellString,
  decodePrediction,
  decodeRegression,
  deserializeFeatures,
  inputColumns,
  labelName,
  modelFeatureInput,
  modelInputArrays,
  packSparseRows,
  SparseEncoder,
  type ClassificationPrediction,
  type EvaluateModelResponse,
  type FeatureRow,
  type FittedFeatures,
  type ModelEvaluationListResponse,
  type PredictRequest,
  type PredictResponse,
  type RegressionPrediction,
  type TfBackendName,
  type TrainedModel,
  type TrainedModelListResponse,
  type TrainingTask,
} from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';
import { AppError, conflict, notFound } from '../../platform/http/errors.js';
import type { RuntimeService } from '../runtime/runtime.service.js';
import type { DatasetsService } from '../datasets/datasets.service.js';
import { evaluateRows } from './evaluation.js';
import { fileLoader } from './model-io.js';
import { disposeNetwork } from './network.js';
import { FEATURES_JSON } from './trainer.js';
import { inBatches, rowEncoder, type EncodedRow } from './training-batches.js';
import { streamRows } from './training-data.js';
import { toEvaluation, toTrainedModel, type TrainedModelMetadata } from './training.presenter.js';
import type { TrainedModelRow, TrainingRepository } from './training.repository.js';

export interface TrainedModelsDeps {
  repo: TrainingRepository;
  /** Evaluation reads the caller's datasets (404 for anyone else's). */
  datasets: Pick<DatasetsService, 'forTraining'>;
  modelDir: (modelId: string) => string;
  /** Initialises TensorFlow.js in this thread (once) and names the backend. */
  tfInfo: () => Promise<{ backend: TfBackendName }>;
  /** Loaded models kept in memory for predict. */
  cacheSize?: number;
  /** Runs the encoders of models trained on one (their text is embedded first). */
  runtime: Pick<RuntimeService, 'findEncoder' | 'embed'>;
}

interface Loaded {
  key: string;
  model: tf.LayersModel;
  features: FittedFeatures;
}

const CONTENT_TYPES: Record<string, string> = { '.json': 'application/json; charset=utf-8', '.bin': 'application/octet-stream' };
/** Rows of a sparse predict run through the network at a time, each group padded only to its own longest row. */
const PREDICT_GROUP = 128;

/**
 * The network's outputs for `rows`, in their order. Sparse inputs are padded to the longest row of what goes in
 * together, and reviews vary: one long one among 1000 short ones made a 1000 × 1335 input where the rows average
 * 234 non-zeros (SentiPers). So the rows go in groups of similar length, and the outputs back to their places.
 */
function predictRows(model: tf.LayersModel, features: FittedFeatures, rows: readonly FeatureRow[]): Float32Array {
  const how = modelFeatureInput(model.getUserDefinedMetadata());
  // Inputs made inside the tidy, so they go with it.
  const run = (xs: () => tf.Tensor | tf.Tensor[]) => tf.tidy(() => (model.predict(xs()) as tf.Tensor).dataSync() as Float32Array);
  if (how.input !== 'sparse') {
    const m = modelInputArrays(features, rows, how);
    if (m.kind === 'dense') return run(() => tf.tensor2d(m.x, m.shape));
  }
  const encoder = new SparseEncoder(features, how.pooling);
  const encoded = rows.map((r) => {
    const e = encoder.encode(r);
    return { ids: e.ids.slice(), weights: e.weights.slice() };
  });
  const order = encoded.map((_, i) => i).sort((a, b) => encoded[a]!.ids.length - encoded[b]!.ids.length);
  let output: Float32Array | null = null;
  for (let g = 0; g < order.length; g += PREDICT_GROUP) {
    const group = order.slice(g, g + PREDICT_GROUP);
    const m = packSparseRows(group.map((i) => encoded[i]!));
    const out = run(() => [tf.tensor2d(m.ids, [m.rows, m.width], 'int32'), tf.tensor2d(m.weights, [m.rows, m.width])]);
    const width = out.length / group.length;
    output ??= new Float32Array(rows.length * width);
    group.forEach((row, k) => output!.set(out.subarray(k * width, (k + 1) * width), row * width));
  }
  return output ?? new Float32Array(0);
}

/** Rows of a dataset embedded and encoded at a time while evaluating. */
const EVALUATE_CHUNK = 256;

const encoderMissing = (repoId: string) =>
  new AppError(409, 'ENCODER_MISSING', `the encoder this model reads its text through (${repoId}) is no longer installed; install it again to use the model`);

/** The artifacts of trained models (for the browser) and server-side inference with the same features. */
export class TrainedModelsService {
  private readonly cache = new Map<string, Promise<Loaded>>();

  constructor(private readonly deps: TrainedModelsDeps) {}

  /**
   * A ready model's file, by plain name from its file list; another user's model or an unknown name is 404.
   * `root` is the model's folder and `name` the file in it (send it relative to root: the folder itself may sit
   * under a dot-folder such as ~/.local, which only matters for the name).
   */
  async file(userId: string, modelId: string, name: string): Promise<{ root: string; name: string; contentType: string }> {
    const model = await this.requireReady(userId, modelId);
    const files = (model.metadata as unknown as TrainedModelMetadata).files ?? [];
    if (!files.some((f) => f.name === name)) throw notFound('file');
    const dir = this.deps.modelDir(model.id);
    const full = path.resolve(dir, name);
    if (path.dirname(full) !== path.resolve(dir)) throw notFound('file');
    return { root: path.dirname(full), name: path.basename(full), contentType: CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream' };
  }

  /**
   * A file of the encoder a ready model of mine reads its text through (one of `encoder.files`), from the installed
   * model's folder: what the browser's transformers.js loads. 404 for anything else.
   */
  async encoderFile(userId: string, modelId: string, file: string): Promise<{ root: string; name: string; contentType: string }> {
    const model = await this.requireReady(userId, modelId);
    const meta = (model.metadata as unknown as TrainedModelMetadata).encoder;
    if (!meta || !meta.files.includes(file)) throw notFound('file');
    const encoder = await this.deps.runtime.findEncoder(model.encoder_installed_id, meta);
    if (!encoder) throw encoderMissing(meta.repoId);
    const root = path.resolve(encoder.load.folder);
    const full = path.resolve(root, file);
    if (!full.startsWith(root + path.sep)) throw notFound('file');
    return { root, name: path.relative(root, full), contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' };
  }

  /** My ready models, trained here or imported, newest first (what the playground offers). */
  async list(userId: string): Promise<TrainedModelListResponse> {
    return { items: (await this.deps.repo.listReadyTrainedModels(userId)).map(toTrainedModel) };
  }

  async get(userId: string, modelId: string): Promise<TrainedModel> {
    const model = await this.deps.repo.getTrainedModel(modelId, userId);
    if (!model) throw notFound('model');
    return toTrainedModel(model);
  }

  async predict(userId: string, modelId: string, body: PredictRequest): Promise<PredictResponse> {
    const row = await this.requireReady(userId, modelId);
    const rows = Array.isArray(body.inputs) ? body.inputs : [body.inputs];
    const { backend } = await this.deps.tfInfo();
    const loaded = await this.load(row);
    const names = new Set(inputColumns(loaded.features).map((c) => c.name));
    const issues = rows.flatMap((r, i) => {
      const keys = Object.keys(r);
      const unknown = keys.filter((k) => !names.has(k));
      if (unknown.length) return [{ path: `inputs.${i}`, message: `unknown input ${unknown.map((k) => `"${k}"`).join(', ')}; the model reads ${[...names].join(', ')}`, code: 'unrecognized_keys' }];
      if (!keys.length) return [{ path: `inputs.${i}`, message: `give at least one of ${[...names].join(', ')}`, code: 'too_small' }];
      return [];
    });
    if (issues.length) throw new AppError(400, 'VALIDATION_FAILED', 'request is not valid', issues);

    const started = performance.now();
    const inputs = await this.embedded(row, loaded.features, rows);
    const output = predictRows(loaded.model, loaded.features, inputs);
    const width = output.length / rows.length;
    const classNames = (row.metadata as unknown as TrainedModelMetadata).labelNames;
    const predictions: (ClassificationPrediction | RegressionPrediction)[] = [];
    for (let i = 0; i < rows.length; i++) {
      const out = output.subarray(i * width, (i + 1) * width);
      if (loaded.features.label.kind === 'regression') {
        predictions.push({ value: decodeRegression(loaded.features, out) });
      } else {
        const probabilities = decodePrediction(loaded.features, out).map((p) => ({ ...p, name: labelName(classNames, p.label) }));
        predictions.push({ label: probabilities[0]!.label, name: probabilities[0]!.name, probability: probabilities[0]!.probability, probabilities });
      }
    }
    return { modelId: row.id, task: loaded.features.task as TrainingTask, predictions, backend, durationMs: performance.now() - started };
  }

  /**
   * The model's accuracy, macro-F1, per-class figures and confusion matrix on every row of a dataset with its
   * input and label columns, streamed from the file; kept with the model. Rows without a label the model knows
   * are counted as skipped. 400 when the dataset lacks a column or the model is a regression.
   */
  async evaluate(userId: string, modelId: string, datasetId: string): Promise<EvaluateModelResponse> {
    const row = await this.requireReady(userId, modelId);
    const { record, filePath } = await this.deps.datasets.forTraining(userId, datasetId);
    const loaded = await this.load(row);
    const fitted = loaded.features;
    if (fitted.label.kind !== 'classification') throw new AppError(400, 'VALIDATION_FAILED', 'only classification models can be evaluated', [{ path: 'modelId', message: 'a regression model', code: 'custom' }]);
    const columns = [...inputColumns(fitted).map((c) => c.name), fitted.label.column];
    const present = new Set(record.metadata.columns.map((c) => c.name));
    const absent = columns.filter((c) => !present.has(c));
    if (absent.length) {
      throw new AppError(400, 'VALIDATION_FAILED', 'the dataset lacks columns the model reads', [
        { path: 'datasetId', message: `the dataset has no column ${absent.map((c) => `"${c}"`).join(', ')}`, code: 'custom' },
      ]);
    }
    await this.deps.tfInfo();
    const how = modelFeatureInput(loaded.model.getUserDefinedMetadata());
    const encode = rowEncoder(fitted, how.input, how.pooling);
    let skipped = 0;
    const embedded = (chunk: FeatureRow[]) => this.embedded(row, fitted, chunk);
    const rows = async function* (): AsyncGenerator<EncodedRow> {
      for await (const chunk of inBatches(streamRows({ filePath, format: record.format }, columns), EVALUATE_CHUNK)) {
        for (const r of await embedded(chunk)) {
          const e = encode(r);
          if (e) yield e;
          else skipped += 1;
        }
      }
    };
    const report = (await evaluateRows(loaded.model, rows(), fitted, how.input, 256))!;
    const saved = await this.deps.repo.saveDatasetEvaluation({ modelId: row.id, datasetId: record.id, report });
    return { evaluation: toEvaluation(saved), skipped };
  }

  async evaluations(userId: string, modelId: string): Promise<ModelEvaluationListResponse> {
    const row = await this.requireReady(userId, modelId);
    return { items: (await this.deps.repo.modelEvaluations(row.id)).map(toEvaluation) };
  }

  /** Frees every cached model (shutdown). */
  async close(): Promise<void> {
    const loaded = await Promise.allSettled([...this.cache.values()]);
    this.cache.clear();
    for (const l of loaded) if (l.status === 'fulfilled') disposeNetwork(l.value.model);
  }

  /** The rows with the text column replaced by its embedding, for a model on an encoder; the rows as they are otherwise. */
  private async embedded(row: TrainedModelRow, features: FittedFeatures, rows: readonly FeatureRow[]): Promise<readonly FeatureRow[]> {
    const block = features.embedding;
    if (!block) return rows;
    const encoder = await this.deps.runtime.findEncoder(row.encoder_installed_id, block.encoder);
    if (!encoder) throw encoderMissing(block.encoder.repoId);
    const vectors = await this.deps.runtime.embed(
      encoder,
      rows.map((r) => cellString(r[block.column]) ?? ''),
      block.encoder,
    );
    return rows.map((r, i) => ({ ...r, [block.column]: vectors[i] }));
  }

  private async requireReady(userId: string, modelId: string): Promise<TrainedModelRow> {
    const model = await this.deps.repo.getTrainedModel(modelId, userId);
    if (!model) throw notFound('model');
    if (model.status !== 'ready') throw conflict(`the model is ${model.status}, not ready`, 'MODEL_NOT_READY');
    return model;
  }

  /** Loads model.json + weights and features.json once per model version, keeping the most recent few. */
  private async load(row: TrainedModelRow): Promise<Loaded> {
    const key = `${row.id}@${row.updated_at.toISOString()}`;
    let entry = this.cache.get(row.id);
    if (entry && (await entry.catch(() => null))?.key !== key) {
      this.cache.delete(row.id);
      void entry.then((l) => disposeNetwork(l.model), () => undefined);
      entry = undefined;
    }
    if (!entry) {
      const dir = this.deps.modelDir(row.id);
      entry = (async () => {
        const features = deserializeFeatures(await fs.readFile(path.join(dir, FEATURES_JSON), 'utf8'));
        const model = await tf.loadLayersModel(fileLoader(dir));
        return { key, model, features };
      })();
      entry.catch(() => this.cache.delete(row.id));
      this.cache.set(row.id, entry);
      while (this.cache.size > (this.deps.cacheSize ?? 4)) {
        const [oldest, value] = this.cache.entries().next().value!;
        this.cache.delete(oldest);
        void value.then((l) => disposeNetwork(l.model), () => undefined);
      }
    } else {
      // Most recently used goes to the end.
      this.cache.delete(row.id);
      this.cache.set(row.id, entry);
    }
    return entry;
  }
}
