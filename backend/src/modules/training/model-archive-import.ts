import fs from 'node:fs/promises';
import path from 'node:path';
import {
  deserializeFeatures,
  FeatureError,
  findTextFault,
  MODEL_ARCHIVE_FILES,
  MODEL_ARCHIVE_VERSION,
  modelArchiveHeaderSchema,
  modelArchiveLabelsSchema,
  modelArchiveManifestSchema,
  modelArchiveMetricsSchema,
  modelFeatureInput,
  modelInputArrays,
  WEIGHTS_FILE_NAME,
  type FittedFeatures,
  type ModelArchiveLabels,
  type ModelArchiveManifest,
  type ModelArchiveMetrics,
  type ModelArchiveReason,
  type ModelFeatureInput,
  type ModelFile,
} from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { fileLoader, listFiles } from './model-io.js';
import { extractEntry, problem, readZipEntries, type ZipEntry, type ZipLimits } from './model-archive-zip.js';
import { disposeNetwork } from './network.js';

/** What a checked archive holds, unpacked into `dir` (model.json, the weights, features.json, labels.json). */
export interface UnpackedModel {
  dir: string;
  manifest: ModelArchiveManifest;
  labels: ModelArchiveLabels;
  metrics: ModelArchiveMetrics;
  features: FittedFeatures;
  how: ModelFeatureInput;
  files: ModelFile[];
}

const F = MODEL_ARCHIVE_FILES;
const REQUIRED = [F.manifest, F.model, F.features, F.labels];
/** Read for the checks, then not kept: the manifest and metrics live in the database, the rest is made anew on export. */
const NOT_KEPT = [F.manifest, F.metrics, F.readme, F.featurize];
const KNOWN = new Set<string>(Object.values(F));
const isArchiveName = (name: string) => KNOWN.has(name) || WEIGHTS_FILE_NAME.test(name);

/** Bytes per value of each weight dtype tf.io writes without quantisation. */
const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1 } as const;

/** The parts of model.json the checks read: a layers model and its weights manifest. */
const modelJsonSchema = z.object({
  format: z.literal('layers-model'),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z
    .array(
      z.strictObject({
        paths: z.array(z.string().regex(WEIGHTS_FILE_NAME, 'a plain .bin file name')).min(1),
        weights: z.array(
          z.strictObject({
            name: z.string().min(1),
            shape: z.array(z.number().int().min(0)).max(8),
            dtype: z.enum(['float32', 'int32', 'bool']),
            group: z.string().optional(),
          }),
        ),
      }),
    )
    .min(1),
});

/**
 * Unpacks an exported model archive into `dir` (which must not exist) and checks everything before anything is
 * kept: every entry (readZipEntries), the manifest and each file's size and SHA-256, features.json through
 * common's parser, labels.json and metrics.json against the features, the weights against model.json, and the
 * model itself, loaded with tf.loadLayersModel and run once. Throws an ArchiveProblem naming the first fault.
 */
export async function unpackModelArchive(zipFile: string, dir: string, limits: ZipLimits): Promise<UnpackedModel> {
  const entries = await readZipEntries(zipFile, limits, isArchiveName);
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const name of REQUIRED) if (!byName.has(name)) throw problem('missing-entry', name, `the archive has no ${name}`);

  await fs.mkdir(dir);
  const sha = new Map<string, string>();
  for (const e of entries) sha.set(e.name, await extractEntry(zipFile, e, path.join(dir, e.name)));

  const manifest = await readManifest(dir);
  checkListedFiles(manifest, entries, sha);

  let features: FittedFeatures;
  try {
    features = deserializeFeatures(await readJson(dir, F.features, 'invalid-features'));
  } catch (err) {
    if (err instanceof FeatureError) throw problem('invalid-features', F.features, err.message);
    throw err;
  }
  // An archive carries no encoder: its featurize.js and page could not embed the text.
  if (features.embedding) throw problem('invalid-features', F.features, 'the model reads its text through an encoder, which an archive does not carry');
  const m = manifest.model;
  const columns = [features.text?.column ?? null, features.columns.map((c) => c.name).join('\u0000')];
  if (features.task !== m.task || features.label.column !== m.labelColumn || columns[0] !== m.textColumn || columns[1] !== m.featureColumns.join('\u0000')) {
    throw problem('invalid-manifest', F.manifest, 'the manifest describes another task or other columns than features.json');
  }
  const labels = await readLabels(dir, features);
  const metrics = byName.has(F.metrics) ? await readMetrics(dir, features) : { final: m.metrics, evaluations: [] };

  await checkWeights(dir, entries);
  const how = await checkModel(dir, features, m.input);
  for (const name of NOT_KEPT) await fs.rm(path.join(dir, name), { force: true });
  return { dir, manifest, labels, metrics, features, how, files: await listFiles(dir) };
}

async function readJson(dir: string, name: string, reason: ModelArchiveReason): Promise<unknown> {
  let value: unknown;
  try {
    value = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8'));
  } catch {
    throw problem('invalid-json', name, `${name} is not valid JSON`);
  }
  const fault = findTextFault(value);
  if (fault) throw problem(reason, name, `${name} holds text the API does not accept at ${fault.path || 'its root'} (${fault.fault})`);
  return value;
}

const issues = (error: z.ZodError) =>
  error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || 'root'}: ${i.message}`)
    .join('; ');

async function readManifest(dir: string): Promise<ModelArchiveManifest> {
  const json = await readJson(dir, F.manifest, 'invalid-manifest');
  const header = modelArchiveHeaderSchema.safeParse(json);
  if (!header.success) throw problem('invalid-manifest', F.manifest, 'manifest.json does not describe a Sokhan model archive');
  if (header.data.version !== MODEL_ARCHIVE_VERSION) {
    throw problem('unsupported-version', F.manifest, `the archive is format version ${header.data.version}; this Sokhan reads version ${MODEL_ARCHIVE_VERSION}`);
  }
  const parsed = modelArchiveManifestSchema.safeParse(json);
  if (!parsed.success) throw problem('invalid-manifest', F.manifest, `invalid manifest.json: ${issues(parsed.error)}`);
  return parsed.data;
}

/** The manifest lists every other entry exactly once, with the size and SHA-256 it has. */
function checkListedFiles(manifest: ModelArchiveManifest, entries: readonly ZipEntry[], sha: ReadonlyMap<string, string>): void {
  const listed = new Map(manifest.files.map((f) => [f.name, f]));
  if (listed.size !== manifest.files.length || listed.has(F.manifest)) throw problem('invalid-manifest', F.manifest, 'the manifest lists a file twice, or itself');
  for (const e of entries) {
    if (e.name !== F.manifest && !listed.has(e.name)) throw problem('unexpected-entry', e.name, `"${e.name}" is not listed in the manifest`);
  }
  for (const f of manifest.files) {
    if (!sha.has(f.name)) throw problem('missing-entry', f.name, `the manifest lists "${f.name}", which the archive lacks`);
    const e = entries.find((x) => x.name === f.name)!;
    if (e.uncompressedSize !== f.sizeBytes || sha.get(f.name) !== f.sha256) throw problem('file-mismatch', f.name, `"${f.name}" is not the file the manifest describes (size or SHA-256 differs)`);
  }
}

async function readLabels(dir: string, features: FittedFeatures): Promise<ModelArchiveLabels> {
  const parsed = modelArchiveLabelsSchema.safeParse(await readJson(dir, F.labels, 'invalid-labels'));
  if (!parsed.success) throw problem('invalid-labels', F.labels, `invalid labels.json: ${issues(parsed.error)}`);
  const labels = parsed.data;
  const classes = features.label.kind === 'classification' ? features.label.classes : null;
  if (labels.task !== features.task || labels.labelColumn !== features.label.column) throw problem('invalid-labels', F.labels, 'labels.json names another task or label column than features.json');
  if (JSON.stringify(labels.labels) !== JSON.stringify(classes)) throw problem('invalid-labels', F.labels, 'the classes of labels.json are not those of features.json, in the same order');
  const unknown = Object.keys(labels.labelNames).filter((k) => !classes?.includes(k));
  if (unknown.length) throw problem('invalid-labels', F.labels, `display names for classes the model does not have: ${unknown.slice(0, 5).join(', ')}`);
  return labels;
}

async function readMetrics(dir: string, features: FittedFeatures): Promise<ModelArchiveMetrics> {
  const parsed = modelArchiveMetricsSchema.safeParse(await readJson(dir, F.metrics, 'invalid-metrics'));
  if (!parsed.success) throw problem('invalid-metrics', F.metrics, `invalid metrics.json: ${issues(parsed.error)}`);
  const classes = features.label.kind === 'classification' ? JSON.stringify(features.label.classes) : null;
  if (parsed.data.evaluations.some((e) => JSON.stringify(e.report.labels) !== classes)) throw problem('invalid-metrics', F.metrics, 'an evaluation counts other classes than the model has');
  return parsed.data;
}

/** model.json names every .bin entry, each once, and each group's files hold exactly the bytes its weights need. */
async function checkWeights(dir: string, entries: readonly ZipEntry[]): Promise<void> {
  const parsed = modelJsonSchema.safeParse(await readJson(dir, F.model, 'invalid-model'));
  if (!parsed.success) throw problem('invalid-model', F.model, `model.json is not a TensorFlow.js layers model this reads: ${issues(parsed.error)}`);
  const sizes = new Map(entries.filter((e) => WEIGHTS_FILE_NAME.test(e.name)).map((e) => [e.name, e.uncompressedSize]));
  const named = new Set<string>();
  for (const group of parsed.data.weightsManifest) {
    const need = group.weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[w.dtype], 0);
    let have = 0;
    for (const p of group.paths) {
      if (named.has(p)) throw problem('weights-mismatch', p, `model.json names "${p}" twice`);
      named.add(p);
      const size = sizes.get(p);
      if (size === undefined) throw problem('missing-entry', p, `model.json names the weights file "${p}", which the archive lacks`);
      have += size;
    }
    if (have !== need) throw problem('weights-mismatch', group.paths[0]!, `the weights files hold ${have} bytes; model.json's weights need ${need}`);
  }
  for (const name of sizes.keys()) if (!named.has(name)) throw problem('unexpected-entry', name, `"${name}" is not a weights file model.json names`);
}

/**
 * Loads the network as predict will and checks it fits the features: the input form the manifest says, the
 * input width (or embedding rows) of the features, one output per class, and a finite prediction for an empty row.
 */
async function checkModel(dir: string, features: FittedFeatures, input: ModelArchiveManifest['model']['input']): Promise<ModelFeatureInput> {
  let net: tf.LayersModel;
  try {
    net = await tf.loadLayersModel(fileLoader(dir));
  } catch (err) {
    throw problem('model-load-failed', F.model, `TensorFlow.js could not load the model: ${(err as Error).message}`);
  }
  try {
    const how = modelFeatureInput(net.getUserDefinedMetadata());
    if (how.input !== input) throw problem('invalid-model', F.model, `the network reads ${how.input} inputs; the manifest says ${input}`);
    const width = how.input === 'sparse' ? embeddingRows(net) : net.inputs.length === 1 ? net.inputs[0]!.shape.at(-1) : null;
    const expected = how.input === 'sparse' ? features.dim + 1 : features.dim;
    if ((how.input === 'sparse' ? net.inputs.length !== 2 : net.inputs.length !== 1) || width !== expected) {
      throw problem('invalid-model', F.model, `the network's input (${String(width)}) does not fit the ${features.dim} features of features.json`);
    }
    const outputs = features.label.kind === 'classification' ? features.label.classes.length : 1;
    const shape = net.outputs.length === 1 ? net.outputs[0]!.shape : [];
    if (shape.at(-1) !== outputs) throw problem('output-mismatch', F.model, `the network has ${String(shape.at(-1) ?? net.outputs.length)} outputs; the labels need ${outputs}`);
    const m = modelInputArrays(features, [{}], how);
    const out = tf.tidy(() => {
      const xs = m.kind === 'sparse' ? [tf.tensor2d(m.ids, m.shape, 'int32'), tf.tensor2d(m.weights, m.shape)] : tf.tensor2d(m.x, m.shape);
      return Array.from((net.predict(xs) as tf.Tensor).dataSync());
    });
    if (out.length !== outputs || out.some((v) => !Number.isFinite(v))) throw problem('output-mismatch', F.model, 'the network does not give one finite output per class');
    return how;
  } finally {
    disposeNetwork(net);
  }
}

/** Rows of the sparse network's embedding (features + the bias slot), or null without exactly one. */
function embeddingRows(net: tf.LayersModel): number | null {
  const embeddings = net.layers.filter((l) => l.getClassName() === 'Embedding');
  if (embeddings.length !== 1) return null;
  const rows = (embeddings[0]!.getConfig() as { inputDim?: unknown }).inputDim;
  return typeof rows === 'number' ? rows : null;
}
