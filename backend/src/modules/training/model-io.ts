import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * TensorFlow.js model files on disk. The pure-JS package has no file:// handler (only tfjs-node does), so these
 * handlers write and read the same layout tf.io.http serves to the browser: model.json (topology, training
 * config and a weights manifest) next to one weights.bin.
 */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Optimizer state to append to the model's weights, with the training config that rebuilds the optimizer. */
interface OptimizerState {
  trainingConfig: tf.io.TrainingConfig;
  specs: tf.io.WeightsManifestEntry[];
  data: ArrayBuffer;
}

export function fileSaver(dir: string, optimizer: OptimizerState | null = null): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('binary model topologies are not supported');
      const buffers = [artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0)];
      const specs = [...(artifacts.weightSpecs ?? [])];
      if (optimizer) {
        buffers.push(optimizer.data);
        specs.push(...optimizer.specs);
      }
      const weightData = tf.io.CompositeArrayBuffer.join(buffers);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: specs }],
      };
      const trainingConfig = optimizer?.trainingConfig ?? artifacts.trainingConfig;
      if (trainingConfig) modelJson.trainingConfig = trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      await fs.writeFile(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      await fs.writeFile(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData, weightSpecs: specs }) };
    },
  };
}

/** Reads model.json and the weight files its manifest names (plain names inside `dir` only). */
export function fileLoader(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const modelJson = JSON.parse(await fs.readFile(path.join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            if (!SAFE_NAME.test(p)) throw new Error(`unsafe weight file name in ${MODEL_JSON}: ${p}`);
            const bytes = await fs.readFile(path.join(dir, p));
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

export interface SavedFolder {
  dir: string;
  files: { name: string; sizeBytes: number }[];
}

/**
 * Saves the model (optionally with its optimizer state) plus extra files into a temporary sibling folder, then
 * renames it to `dir` (replacing an older folder of that name), so a reader never sees half a model.
 */
export async function saveModelFolder(model: tf.LayersModel, dir: string, opts: { includeOptimizer: boolean; extraFiles?: Record<string, string | Uint8Array> }): Promise<SavedFolder> {
  const parent = path.dirname(dir);
  await fs.mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.tmp-${path.basename(dir)}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(tmp);
  try {
    const optimizer = opts.includeOptimizer ? await optimizerState(model) : null;
    await model.save(fileSaver(tmp, optimizer), { includeOptimizer: false });
    for (const [name, content] of Object.entries(opts.extraFiles ?? {})) {
      if (!SAFE_NAME.test(name)) throw new Error(`unsafe file name: ${name}`);
      await fs.writeFile(path.join(tmp, name), content);
    }
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return { dir, files: await listFiles(dir) };
}

/**
 * The optimizer's weights encoded in the 'optimizer' group tf.loadLayersModel restores. Done here rather than by
 * model.save({includeOptimizer}) because that path never disposes the iteration-count scalar it creates.
 */
async function optimizerState(model: tf.LayersModel): Promise<OptimizerState | null> {
  const optimizer = model.optimizer as tf.Optimizer | undefined;
  if (!optimizer) return null;
  const weights = await optimizer.getWeights();
  try {
    const { data, specs } = await tf.io.encodeWeights(weights, 'optimizer');
    const trainingConfig = (model as unknown as { getTrainingConfig(): tf.io.TrainingConfig }).getTrainingConfig();
    return { trainingConfig, specs, data };
  } finally {
    // The live moment variables belong to the optimizer; only the fresh scalars getWeights() made are ours.
    tf.dispose(weights.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
  }
}

export async function listFiles(dir: string): Promise<{ name: string; sizeBytes: number }[]> {
  const names = (await fs.readdir(dir)).filter((n) => SAFE_NAME.test(n)).sort();
  return Promise.all(names.map(async (name) => ({ name, sizeBytes: (await fs.stat(path.join(dir, name))).size })));
}

/** Removes temporary folders a killed save left behind under `parent`. */
export async function removeTempFolders(parent: string): Promise<void> {
  const names = await fs.readdir(parent).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith('.tmp-')).map((n) => fs.rm(path.join(parent, n), { recursive: true, force: true })));
}
