import { FeatureError } from './errors.js';
import { accumulateText, createTextScratch, resetTextScratch, weighTfIdf, type TextScratch } from './text-features.js';
import { transformRow } from './transform.js';
import type { FeatureRow, FittedFeatures, FittedText } from './types.js';
import { categoryKey, cellText, parseNumericCell } from './values.js';

/**
 * The same feature vector as transformRow, kept as its non-zeros: (index, weight) pairs. A first layer that
 * sums weight × embedding[index] over them computes exactly what a dense layer computes over the full vector,
 * doing work per non-zero instead of per bucket.
 *
 * Every row ends with one bias slot, index = fitted.dim and weight 1, so embedding row `dim` is the layer's bias
 * (the sparse input dimension is dim + 1). Rows of a batch are padded with (0, 0), which adds nothing.
 */

/** How text non-zeros are weighted: TF-IDF (L2-normalised, as transformRow), or fastText-style mean of counts. */
export const SPARSE_POOLINGS = ['tfidf', 'mean'] as const;
export type SparsePooling = (typeof SPARSE_POOLINGS)[number];

/** Names of the two model inputs, in this order (model.json keeps them; the browser feeds them by position). */
export const SPARSE_INPUT_NAMES = ['feature_ids', 'feature_weights'] as const;

/** Rows × width pairs, row-major; row i holds `lengths[i]` real pairs, the rest padding. */
export interface SparseMatrix {
  readonly ids: Int32Array;
  readonly weights: Float32Array;
  readonly rows: number;
  readonly width: number;
}

/** One row's pairs (bias slot last); views into a buffer the next call reuses: copy them to keep them. */
export interface SparseRow {
  readonly ids: Int32Array;
  readonly weights: Float32Array;
  readonly length: number;
}

/** Standardised numbers are clipped as in transformRow. */
const NUMBER_LIMIT = 1e6;

export const sparseInputDimension = (fitted: FittedFeatures): number => fitted.dim + 1;

/** Reusable state for encoding rows one after another (buffers grow to the longest row seen). */
export class SparseEncoder {
  private readonly scratch: TextScratch | null;
  private ids = new Int32Array(256);
  private weights = new Float32Array(256);

  constructor(
    readonly fitted: FittedFeatures,
    readonly pooling: SparsePooling = 'tfidf',
  ) {
    if (fitted.embedding) throw new FeatureError('INVALID_SPEC', 'an embedding is read densely, not as sparse n-grams');
    this.scratch = fitted.text ? createTextScratch(fitted.text.buckets) : null;
  }

  private reserve(n: number): void {
    if (n <= this.ids.length) return;
    const size = Math.max(n, this.ids.length * 2);
    const ids = new Int32Array(size);
    const weights = new Float32Array(size);
    ids.set(this.ids);
    weights.set(this.weights);
    this.ids = ids;
    this.weights = weights;
  }

  /** The non-zeros of `row` in the order transformRow writes them (text buckets, then columns), then the bias. */
  encode(row: FeatureRow): SparseRow {
    const { fitted } = this;
    let n = 0;
    const text = fitted.text;
    if (text && this.scratch) n = this.writeText(text, cellText(row[text.column]));
    this.reserve(n + 2 * fitted.columns.length + 1);
    const { ids, weights } = this;
    for (const c of fitted.columns) {
      if (c.kind === 'number') {
        const v = parseNumericCell(row[c.name]);
        if (v === null) continue;
        const z = Math.max(-NUMBER_LIMIT, Math.min(NUMBER_LIMIT, (v - c.mean) / c.std));
        if (z === 0) continue;
        ids[n] = c.offset;
        weights[n++] = z;
      } else {
        const key = categoryKey(row[c.name]);
        const i = key === null ? undefined : c.index.get(key);
        ids[n] = c.offset + (i ?? c.values.length);
        weights[n++] = 1;
      }
    }
    ids[n] = fitted.dim;
    weights[n++] = 1;
    return { ids: ids.subarray(0, n), weights: weights.subarray(0, n), length: n };
  }

  /** Text pairs into the buffers from position 0; returns how many. Weights as writeTfIdf, or count / total. */
  private writeText(text: FittedText, value: string): number {
    const scratch = this.scratch!;
    accumulateText(text, value, scratch);
    const { counts, touched, size } = scratch;
    this.reserve(size + 1);
    const { ids, weights } = this;
    let n = 0;
    if (this.pooling === 'mean') {
      let total = 0;
      for (let i = 0; i < size; i++) total += counts[touched[i]!]!;
      for (let i = 0; i < size; i++) {
        const b = touched[i]!;
        ids[n] = b;
        weights[n++] = counts[b]! / total;
      }
    } else {
      const inv = weighTfIdf(text, scratch);
      if (inv > 0) {
        for (let i = 0; i < size; i++) {
          const b = touched[i]!;
          const w = counts[b]! * inv;
          // A bucket whose idf is 0 (below minDf) is a zero of the dense vector: leave it out.
          if (w === 0) continue;
          ids[n] = b;
          weights[n++] = w;
        }
      }
    }
    resetTextScratch(scratch);
    return n;
  }
}

/** Packs encoded rows into one padded matrix as wide as the longest (at least 1). */
export function packSparseRows(rows: readonly { ids: ArrayLike<number>; weights: ArrayLike<number> }[]): SparseMatrix {
  let width = 1;
  for (const r of rows) width = Math.max(width, r.ids.length);
  const ids = new Int32Array(rows.length * width);
  const weights = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    ids.set(r.ids, i * width);
    weights.set(r.weights, i * width);
  });
  return { ids, weights, rows: rows.length, width };
}

/** The sparse inputs of many rows (for predict and in-browser inference). */
export function sparseRows(fitted: FittedFeatures, rows: readonly FeatureRow[], pooling: SparsePooling = 'tfidf'): SparseMatrix {
  const encoder = new SparseEncoder(fitted, pooling);
  return packSparseRows(
    rows.map((row) => {
      const r = encoder.encode(row);
      return { ids: r.ids.slice(), weights: r.weights.slice() };
    }),
  );
}

/** What model.json's userDefinedMetadata says about reading the features (`sokhan` key). */
export interface ModelFeatureInput {
  readonly input: 'sparse' | 'dense';
  readonly pooling: SparsePooling;
}

/** Reads it from model.getUserDefinedMetadata(); models saved before the sparse input were dense. */
export function modelFeatureInput(userDefinedMetadata: unknown): ModelFeatureInput {
  const m = (userDefinedMetadata as { sokhan?: { input?: unknown; pooling?: unknown } } | undefined)?.sokhan;
  const pooling = (SPARSE_POOLINGS as readonly unknown[]).includes(m?.pooling) ? (m!.pooling as SparsePooling) : 'tfidf';
  return { input: m?.input === 'sparse' ? 'sparse' : 'dense', pooling };
}

/** The model inputs of some rows as plain arrays with their shapes, for tf.tensor2d on either side. */
export function modelInputArrays(
  fitted: FittedFeatures,
  rows: readonly FeatureRow[],
  how: ModelFeatureInput,
): { kind: 'sparse'; ids: Int32Array; weights: Float32Array; shape: [number, number] } | { kind: 'dense'; x: Float32Array; shape: [number, number] } {
  if (how.input === 'sparse') {
    const m = sparseRows(fitted, rows, how.pooling);
    return { kind: 'sparse', ids: m.ids, weights: m.weights, shape: [m.rows, m.width] };
  }
  const x = new Float32Array(rows.length * fitted.dim);
  rows.forEach((row, i) => x.set(transformRow(fitted, row), i * fitted.dim));
  return { kind: 'dense', x, shape: [rows.length, fitted.dim] };
}

export type ModelInputArrays = ReturnType<typeof modelInputArrays>;
