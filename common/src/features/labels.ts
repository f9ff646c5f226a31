import { FeatureError } from './errors.js';
import type { FeatureMatrix } from './transform.js';
import { transformRows } from './transform.js';
import type { FittedFeatures, LabelProbability, FeatureRow } from './types.js';
import { cellString, parseNumericCell } from './values.js';

/** Encoded targets: class indices (into fitted.label.classes) or standardised regression values. */
export type EncodedLabels =
  | { readonly kind: 'classification'; readonly indices: Int32Array; readonly classes: readonly string[] }
  | { readonly kind: 'regression'; readonly values: Float32Array };

/** Features and targets of the rows that have a usable label, aligned row for row. */
export interface EncodedDataset extends FeatureMatrix {
  readonly labels: EncodedLabels;
  /** Rows left out because their label was missing, not a number (regression) or a class the fit never saw. */
  readonly skipped: number;
}

/** The encoded label of one cell: a class index or a standardised value; null when missing or unknown. */
export function encodeLabel(fitted: FittedFeatures, value: unknown): number | null {
  const label = fitted.label;
  if (label.kind === 'classification') {
    const key = cellString(value);
    return key === null ? null : (label.index.get(key) ?? null);
  }
  const y = parseNumericCell(value);
  return y === null ? null : (y - label.mean) / label.std;
}

/** Encodes the label of every row; throws FeatureError MISSING_LABEL / UNKNOWN_LABEL naming the row. */
export function encodeLabels(fitted: FittedFeatures, rows: readonly FeatureRow[] | Iterable<FeatureRow>): EncodedLabels {
  const list: readonly FeatureRow[] = Array.isArray(rows) ? rows : [...rows];
  const label = fitted.label;
  const out = label.kind === 'classification' ? new Int32Array(list.length) : new Float32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const value = list[i]![label.column];
    const encoded = encodeLabel(fitted, value);
    if (encoded === null) {
      const missing = label.kind === 'classification' ? cellString(value) === null : parseNumericCell(value) === null;
      throw missing
        ? new FeatureError('MISSING_LABEL', `row ${i}: the label column "${label.column}" has no usable value`, i)
        : new FeatureError('UNKNOWN_LABEL', `row ${i}: "${String(value)}" is not one of the fitted classes`, i);
    }
    out[i] = encoded;
  }
  return label.kind === 'classification'
    ? { kind: 'classification', indices: out as Int32Array, classes: label.classes }
    : { kind: 'regression', values: out as Float32Array };
}

/** Features and labels for training: rows without a usable label are skipped, the rest stay aligned. */
export function encodeDataset(fitted: FittedFeatures, rows: readonly FeatureRow[] | Iterable<FeatureRow>): EncodedDataset {
  const list: readonly FeatureRow[] = Array.isArray(rows) ? rows : [...rows];
  const column = fitted.label.column;
  const kept = list.filter((row) => encodeLabel(fitted, row[column]) !== null);
  const matrix = transformRows(fitted, kept);
  return { ...matrix, labels: encodeLabels(fitted, kept), skipped: list.length - kept.length };
}

function checkFinite(output: ArrayLike<number>): void {
  for (let i = 0; i < output.length; i++) {
    if (!Number.isFinite(output[i])) throw new FeatureError('BAD_MODEL_OUTPUT', `model output ${i} is not a finite number`);
  }
}

/**
 * Class probabilities (a softmax output, one value per class) → labels with probabilities, most likely first
 * (ties keep class order). A single sigmoid output is accepted for two classes: it is P(classes[1]).
 */
export function decodePrediction(fitted: FittedFeatures, output: ArrayLike<number>): LabelProbability[] {
  const label = fitted.label;
  if (label.kind !== 'classification') {
    throw new FeatureError('BAD_MODEL_OUTPUT', 'decodePrediction is for classification; use decodeRegression');
  }
  checkFinite(output);
  const n = label.classes.length;
  let probs: number[];
  if (output.length === n) probs = Array.from(output);
  else if (output.length === 1 && n === 2) probs = [1 - output[0]!, output[0]!];
  else throw new FeatureError('BAD_MODEL_OUTPUT', `expected ${n} class probabilities, got ${output.length}`);
  return probs
    .map((probability, i) => ({ label: label.classes[i]!, probability, i }))
    .sort((a, b) => b.probability - a.probability || a.i - b.i)
    .map(({ label: l, probability }) => ({ label: l, probability }));
}

/** A regression output (standardised) → a value in the label's own units. */
export function decodeRegression(fitted: FittedFeatures, output: number | ArrayLike<number>): number {
  const label = fitted.label;
  if (label.kind !== 'regression') {
    throw new FeatureError('BAD_MODEL_OUTPUT', 'decodeRegression is for regression; use decodePrediction');
  }
  const value = typeof output === 'number' ? output : output.length === 1 ? output[0]! : NaN;
  if (!Number.isFinite(value)) throw new FeatureError('BAD_MODEL_OUTPUT', 'expected one finite regression output');
  return value * label.std + label.mean;
}
