/**
 * The entry of featurize.js, the script an exported model archive carries so a plain web page (or Node) turns
 * inputs into exactly the vectors the model was trained on. It is this package's own feature code bundled by
 * scripts/bundle-featurize.mjs (a browser global `SokhanFeatures`), never a second implementation.
 *
 *   const f = SokhanFeatures.create(featuresJson, model.getUserDefinedMetadata(), labelsJson);
 *   const [best] = (await f.predict(tf, model, [{ [f.inputs[0].name]: 'این فیلم عالی بود' }]))[0];
 */
import { labelName } from '../contracts/training.js';
import { decodePrediction, decodeRegression } from './labels.js';
import { deserializeFeatures } from './serialize.js';
import { modelFeatureInput, modelInputArrays } from './sparse.js';
import { inputColumns } from './transform.js';
import type { FeatureRow } from './types.js';

/** The part of TensorFlow.js the helpers use (the page's own `tf`, passed in: the bundle carries no TensorFlow). */
interface TfLike {
  tensor2d(values: Float32Array | Int32Array, shape: [number, number], dtype?: 'float32' | 'int32'): TensorLike;
}
interface TensorLike {
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}
interface ModelLike {
  predict(x: TensorLike | TensorLike[]): TensorLike | TensorLike[];
}

export interface NamedProbability {
  label: string;
  name: string;
  probability: number;
}

export type RowResult = NamedProbability[] | { value: number };

/**
 * A featuriser for one model: `featuresJson` is features.json (parsed or as text), `userDefinedMetadata` what
 * model.getUserDefinedMetadata() returns (it says whether the network reads sparse or dense inputs), and
 * `labels` labels.json (for the classes' display names; optional).
 */
export function create(featuresJson: unknown, userDefinedMetadata?: unknown, labels?: { labelNames?: Record<string, string> } | null) {
  const features = deserializeFeatures(featuresJson);
  const how = modelFeatureInput(userDefinedMetadata);
  const names = labels?.labelNames ?? {};
  const width = features.label.kind === 'classification' ? features.label.classes.length : 1;

  /** The model inputs of some rows as typed arrays with their shape. */
  const encode = (rows: readonly FeatureRow[]) => modelInputArrays(features, rows, how);

  /** The tensors model.predict takes: [ids (int32), weights] for a sparse model, one matrix for a dense one. */
  const tensors = (tf: TfLike, rows: readonly FeatureRow[]): TensorLike | TensorLike[] => {
    const m = encode(rows);
    return m.kind === 'sparse' ? [tf.tensor2d(m.ids, m.shape, 'int32'), tf.tensor2d(m.weights, m.shape)] : tf.tensor2d(m.x, m.shape);
  };

  /** model.predict's output for `rows` rows → per row, every class with its probability (best first), or the value. */
  const decode = (output: ArrayLike<number>, rows = 1): RowResult[] => {
    const out = Array.from(output);
    const per = out.length / rows;
    return Array.from({ length: rows }, (_, i) => {
      const slice = out.slice(i * per, (i + 1) * per);
      if (features.label.kind === 'regression') return { value: decodeRegression(features, slice) };
      return decodePrediction(features, slice).map((p) => ({ label: p.label, name: labelName(names, p.label), probability: p.probability }));
    });
  };

  /** encode → model.predict → decode, disposing the tensors it made. */
  const predict = async (tf: TfLike, model: ModelLike, rows: readonly FeatureRow[]): Promise<RowResult[]> => {
    const xs = tensors(tf, rows);
    const y = model.predict(xs);
    const output = Array.isArray(y) ? y[0]! : y;
    try {
      return decode(await output.data(), rows.length);
    } finally {
      for (const t of [xs, y].flat()) t.dispose();
    }
  };

  return { task: features.task, inputs: inputColumns(features), input: how.input, outputs: width, encode, tensors, decode, predict };
}
