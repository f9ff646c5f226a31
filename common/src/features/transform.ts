import type { TextScratch } from './text-features.js';
import { writeEmbedding } from './embedding.js';
import { accumulateText, createTextScratch, writeTfIdf } from './text-features.js';
import type { FittedFeatures, FittedText, InputColumn, FeatureRow } from './types.js';
import { categoryKey, cellText, parseNumericCell } from './values.js';

/** Standardised numbers are clipped here so a wild outlier cannot overflow float32 into Infinity. */
const NUMBER_LIMIT = 1e6;

/** Rows × dim features in one row-major buffer: row i is x.subarray(i * dim, (i + 1) * dim). */
export interface FeatureMatrix {
  readonly x: Float32Array;
  readonly rows: number;
  readonly dim: number;
}

// One scratch per fitted text block, reused by every call (JavaScript runs one transform at a time).
const scratches = new WeakMap<FittedText, TextScratch>();

function scratchFor(text: FittedText): TextScratch {
  let s = scratches.get(text);
  if (!s) {
    s = createTextScratch(text.buckets);
    scratches.set(text, s);
  }
  return s;
}

export function featureDimension(fitted: FittedFeatures): number {
  return fitted.dim;
}

/** Writes the features of `row` into out[offset .. offset + dim), which the caller hands in zeroed. */
function writeRow(fitted: FittedFeatures, row: FeatureRow, out: Float32Array, offset: number): void {
  const text = fitted.text;
  if (text) {
    const scratch = scratchFor(text);
    accumulateText(text, cellText(row[text.column]), scratch);
    writeTfIdf(text, scratch, out, offset);
  }
  if (fitted.embedding) writeEmbedding(fitted.embedding, row[fitted.embedding.column], out, offset);
  for (const c of fitted.columns) {
    if (c.kind === 'number') {
      const v = parseNumericCell(row[c.name]);
      // Missing or unparsable → the mean, which standardises to 0.
      if (v !== null) out[offset + c.offset] = Math.max(-NUMBER_LIMIT, Math.min(NUMBER_LIMIT, (v - c.mean) / c.std));
    } else {
      const key = categoryKey(row[c.name]);
      const i = key === null ? undefined : c.index.get(key);
      out[offset + c.offset + (i ?? c.values.length)] = 1;
    }
  }
}

/** Writes the features of `row` into out[offset .. offset + dim) (clearing that range first). */
export function transformInto(fitted: FittedFeatures, row: FeatureRow, out: Float32Array, offset = 0): void {
  if (offset < 0 || offset + fitted.dim > out.length) {
    throw new RangeError(`transformInto: ${fitted.dim} values do not fit at offset ${offset} of ${out.length}`);
  }
  out.fill(0, offset, offset + fitted.dim);
  writeRow(fitted, row, out, offset);
}

/** The feature vector of one row (length featureDimension(fitted)). */
export function transformRow(fitted: FittedFeatures, row: FeatureRow): Float32Array {
  const out = new Float32Array(fitted.dim);
  writeRow(fitted, row, out, 0);
  return out;
}

/**
 * The features of many rows in one flat buffer. Pass `out` (at least rows × dim long) to reuse a buffer
 * between batches: the range used is cleared and returned as a view; fresh memory costs page faults that
 * take longer than the extraction itself.
 */
export function transformRows(fitted: FittedFeatures, rows: readonly FeatureRow[] | Iterable<FeatureRow>, out?: Float32Array): FeatureMatrix {
  const list: readonly FeatureRow[] = Array.isArray(rows) ? rows : [...rows];
  const dim = fitted.dim;
  const size = list.length * dim;
  let x: Float32Array;
  if (out) {
    if (out.length < size) throw new RangeError(`transformRows: ${list.length} rows need ${size} values, the buffer holds ${out.length}`);
    x = out.subarray(0, size);
    x.fill(0);
  } else {
    x = new Float32Array(size);
  }
  for (let i = 0; i < list.length; i++) writeRow(fitted, list[i]!, x, i * dim);
  return { x, rows: list.length, dim };
}

/** The inputs a fitted model expects, for building a form: its text column and feature columns in order. */
export function inputColumns(fitted: FittedFeatures): InputColumn[] {
  const inputs: InputColumn[] = [];
  const text = fitted.text?.column ?? fitted.embedding?.column;
  if (text !== undefined) inputs.push({ name: text, kind: 'text' });
  for (const c of fitted.columns) {
    inputs.push(c.kind === 'number' ? { name: c.name, kind: 'number' } : { name: c.name, kind: 'category', values: c.values });
  }
  return inputs;
}

