import { encodeLabel, SparseEncoder, transformRow, type FeatureRow, type FittedFeatures, type ModelInput, type SparsePooling } from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';

/** One row ready for a batch: sparse (ids + weights, bias slot last) or a dense vector, and its target. */
export interface EncodedRow {
  ids: Int32Array | null;
  values: Float32Array;
  target: number;
}

export type RowEncoder = (row: FeatureRow) => EncodedRow | null;

/** Encodes rows for the model's input; null for a row without a usable label (it is skipped). */
export function rowEncoder(fitted: FittedFeatures, input: ModelInput, pooling: SparsePooling): RowEncoder {
  const column = fitted.label.column;
  const sparse = input === 'sparse' ? new SparseEncoder(fitted, pooling) : null;
  return (row) => {
    const target = encodeLabel(fitted, row[column]);
    if (target === null) return null;
    if (!sparse) return { ids: null, values: transformRow(fitted, row), target };
    const r = sparse.encode(row);
    return { ids: r.ids.slice(), values: r.weights.slice(), target };
  };
}

const rowBytes = (r: EncodedRow) => r.values.byteLength + (r.ids?.byteLength ?? 0) + 64;

/**
 * A shuffle buffer: holds rows up to `budgetBytes`, then hands out a random held row for every new one
 * (and the rest, shuffled, at the end). A dataset smaller than the budget is shuffled completely; a larger
 * one streams through in memory bounded by the budget, not by its rows.
 */
export async function* shuffled(rows: AsyncIterable<EncodedRow>, budgetBytes: number, rnd: () => number): AsyncGenerator<EncodedRow> {
  const held: EncodedRow[] = [];
  let bytes = 0;
  for await (const row of rows) {
    if (bytes < budgetBytes) {
      held.push(row);
      bytes += rowBytes(row);
      continue;
    }
    const j = Math.floor(rnd() * held.length);
    const out = held[j]!;
    bytes += rowBytes(row) - rowBytes(out);
    held[j] = row;
    yield out;
  }
  for (let i = held.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [held[i], held[j]] = [held[j]!, held[i]!];
  }
  yield* held;
}

/**
 * The rows of one pass, kept after the first complete pass while they fit `budgetBytes`: later epochs replay
 * them from memory instead of parsing and encoding the file again. A larger set is streamed every time, so
 * memory stays bounded by the budget, not by the rows.
 */
export function replayable(source: () => AsyncIterable<EncodedRow>, budgetBytes: number): () => AsyncIterable<EncodedRow> {
  let kept: EncodedRow[] | null = null;
  let tooBig = false;
  return () => {
    if (kept) return replay(kept);
    return (async function* () {
      const rows: EncodedRow[] = [];
      let bytes = 0;
      for await (const row of source()) {
        if (!tooBig) {
          bytes += rowBytes(row);
          if (bytes > budgetBytes) {
            tooBig = true;
            rows.length = 0;
          } else rows.push(row);
        }
        yield row;
      }
      if (!tooBig) kept = rows;
    })();
  };
}

async function* replay<T>(rows: readonly T[]): AsyncGenerator<T> {
  yield* rows;
}

export async function* encoded(rows: AsyncIterable<FeatureRow>, encode: RowEncoder): AsyncGenerator<EncodedRow> {
  for await (const row of rows) {
    const e = encode(row);
    if (e) yield e;
  }
}

export async function* inBatches<T>(rows: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** Batches of one length-sorted pool: this many batches' rows are sorted together. */
const POOL_BATCHES = 32;

/**
 * Batches of similar length, for the sparse input: a batch is padded to its longest row, so one long review
 * among short ones multiplies the work of the whole batch. Pools of POOL_BATCHES × size rows (in the order
 * they come, i.e. shuffled) are sorted by length and cut into batches, which are handed out in a random
 * order, so every epoch still mixes lengths and classes across batches.
 */
export async function* lengthBatches(rows: AsyncIterable<EncodedRow>, size: number, rnd: () => number): AsyncGenerator<EncodedRow[]> {
  const flush = function* (pool: EncodedRow[]): Generator<EncodedRow[]> {
    pool.sort((a, b) => a.values.length - b.values.length);
    const batches: EncodedRow[][] = [];
    for (let i = 0; i < pool.length; i += size) batches.push(pool.slice(i, i + size));
    for (let i = batches.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [batches[i], batches[j]] = [batches[j]!, batches[i]!];
    }
    yield* batches;
  };
  let pool: EncodedRow[] = [];
  for await (const row of rows) {
    pool.push(row);
    if (pool.length === size * POOL_BATCHES) {
      yield* flush(pool);
      pool = [];
    }
  }
  if (pool.length) yield* flush(pool);
}

export interface BatchTensors extends tf.TensorContainerObject {
  xs: tf.Tensor | tf.Tensor[];
  ys: tf.Tensor;
}

/** Model inputs of a batch: [ids, weights] padded to its widest row, or rows × dim; targets one-hot or values. */
export function batchInputs(batch: readonly EncodedRow[], dim: number): tf.Tensor | tf.Tensor[] {
  const n = batch.length;
  if (batch[0]?.ids) {
    let width = 1;
    for (const r of batch) width = Math.max(width, r.values.length);
    const ids = new Int32Array(n * width);
    const weights = new Float32Array(n * width);
    batch.forEach((r, i) => {
      ids.set(r.ids!, i * width);
      weights.set(r.values, i * width);
    });
    return [tf.tensor2d(ids, [n, width], 'int32'), tf.tensor2d(weights, [n, width])];
  }
  const x = new Float32Array(n * dim);
  batch.forEach((r, i) => x.set(r.values, i * dim));
  return tf.tensor2d(x, [n, dim]);
}

export function batchTensors(batch: readonly EncodedRow[], dim: number, classes: number | null): BatchTensors {
  const targets = batch.map((r) => r.target);
  const ys =
    classes === null
      ? tf.tensor2d(Float32Array.from(targets), [batch.length, 1])
      : tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(targets), 'int32'), classes).toFloat());
  return { xs: batchInputs(batch, dim), ys };
}
