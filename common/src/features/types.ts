import type { OnnxVariant, TextPreparation } from '../contracts/runtime.js';
import type { FeatureTask, ResolvedTextSpec } from './spec.js';

/** One dataset row as parsed from CSV / TSV / JSONL: column name → value (strings, numbers, null...). */
export type FeatureRow = Readonly<Record<string, unknown>>;

/** Hashed TF-IDF block: occupies vector positions [0, buckets). */
export interface FittedText extends ResolvedTextSpec {
  /** Rows the idf was fitted on. */
  readonly documents: number;
  /** Smooth idf per bucket, ln((1 + n) / (1 + df)) + 1 rounded to 1e-6; 0 for buckets with df < minDf. */
  readonly idf: Float64Array;
}

/**
 * How an installed feature-extraction model (transformers.js) turns the text column into a vector. Kept in
 * features.json, so training, predict, evaluation and the browser all embed a text the same way.
 */
export interface EncoderRef {
  /** The Hub repository and the commit its files came from. */
  readonly repoId: string;
  readonly revision: string | null;
  /** The ONNX file used (`onnx/model<suffix>.onnx`). */
  readonly variant: OnnxVariant;
  readonly pooling: 'mean' | 'cls';
  /** Each embedding scaled to length 1. */
  readonly normalize: boolean;
  /** How the text is prepared for the encoder's tokenizer (prepareText). */
  readonly text: TextPreparation;
}

/**
 * An encoder's embedding of the text column: occupies vector positions [0, dim). The encoder runs before the
 * features: the row's value in `column` is then its embedding (numbers, length dim), not the text.
 */
export interface EmbeddingSpec {
  readonly column: string;
  readonly dim: number;
  readonly encoder: EncoderRef;
}

/**
 * The embedding block as fitted: each of its values is standardised with the training rows' mean and standard
 * deviation, as a scaler before a linear model would (an encoder's vectors crowd into a narrow cone, so the
 * differences between sentences are small next to what they share).
 */
export interface FittedEmbedding extends EmbeddingSpec {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/** A standardised number: one position, (value - mean) / std; missing or unparsable → 0 (the mean). */
export interface FittedNumberColumn {
  readonly kind: 'number';
  readonly name: string;
  readonly offset: number;
  readonly mean: number;
  readonly std: number;
}

/** One-hot over `values` plus a last "unknown" position for unseen, rare (past maxCategories) or missing values. */
export interface FittedCategoryColumn {
  readonly kind: 'category';
  readonly name: string;
  readonly offset: number;
  readonly values: readonly string[];
  /** value → position within the block (lookup table built from `values`). */
  readonly index: ReadonlyMap<string, number>;
}

export type FittedColumn = FittedNumberColumn | FittedCategoryColumn;

export interface FittedClassificationLabel {
  readonly kind: 'classification';
  readonly column: string;
  /** Class i of the model output is classes[i]. */
  readonly classes: readonly string[];
  /** Training rows per class, in the order of `classes`. */
  readonly counts: readonly number[];
  readonly index: ReadonlyMap<string, number>;
}

export interface FittedRegressionLabel {
  readonly kind: 'regression';
  readonly column: string;
  /** The model learns (y - mean) / std; predictions are mapped back with value * std + mean. */
  readonly mean: number;
  readonly std: number;
}

export type FittedLabel = FittedClassificationLabel | FittedRegressionLabel;

/**
 * The fitted extractor: plain data, safe to share. Vector layout: the text block (if any), then each
 * feature column in spec order (a number takes 1 position, a category values.length + 1).
 */
export interface FittedFeatures {
  readonly version: 1;
  readonly task: FeatureTask;
  readonly text: FittedText | null;
  /** Instead of a text block: an encoder's embedding of the text column (see FittedEmbedding). */
  readonly embedding: FittedEmbedding | null;
  readonly columns: readonly FittedColumn[];
  readonly label: FittedLabel;
  /** Length of every feature vector. */
  readonly dim: number;
  /** Rows offered to the fit, and rows used (those with a usable label). */
  readonly rows: { readonly seen: number; readonly used: number };
}

/** What a UI needs to build an input form for a fitted model. */
export interface InputColumn {
  readonly name: string;
  readonly kind: 'text' | 'number' | 'category';
  /** Known values of a category column (anything else maps to "unknown"). */
  readonly values?: readonly string[];
}

export interface LabelProbability {
  readonly label: string;
  readonly probability: number;
}
