/**
 * Feature extraction shared by training (Node) and in-browser inference: pure TypeScript, no Node or DOM APIs.
 *
 *   const fitted = fitFeatureExtractor(rows, { task: 'text-classification', textColumn: 'text', labelColumn: 'label' });
 *   const { x, rows: n, dim, labels } = encodeDataset(fitted, rows);      // training data, aligned
 *   writeFile('features.json', JSON.stringify(serializeFeatures(fitted)));  // next to model.json
 *   // browser / predict:
 *   const f = deserializeFeatures(await (await fetch(url)).text());
 *   const probs = model.predict(tf.tensor2d(transformRow(f, input), [1, f.dim]));
 *   decodePrediction(f, await probs.data());                               // [{label, probability}] best first
 *
 * Vector layout: [hashed TF-IDF text block (buckets)] [each feature column in spec order: number → 1,
 * category → values + 1 "unknown"]. Missing numbers become the fitted mean (0 after standardising).
 */
export { FeatureError } from './errors.js';
export type { FeatureErrorCode } from './errors.js';
export {
  FEATURE_TASKS,
  FEATURE_COLUMN_KINDS,
  FEATURE_DEFAULTS,
  featureSpecSchema,
  featureColumnSchema,
  resolveFeatureSpec,
} from './spec.js';
export type { FeatureTask, FeatureColumnKind, FeatureColumn, FeatureSpec, NgramRange, ResolvedFeatureSpec, ResolvedTextSpec } from './spec.js';
export type {
  FeatureRow,
  FittedFeatures,
  FittedText,
  FittedEmbedding,
  EmbeddingSpec,
  EncoderRef,
  FittedColumn,
  FittedNumberColumn,
  FittedCategoryColumn,
  FittedLabel,
  FittedClassificationLabel,
  FittedRegressionLabel,
  InputColumn,
  LabelProbability,
} from './types.js';
export { encoderRefSchema, MAX_EMBEDDING_DIM } from './embedding.js';
export { featureHash, fnv1a32, fmix32 } from './hash.js';
export { featureTokens } from './text-features.js';
export { cellString, parseNumericCell } from './values.js';
export { createFeatureFitter, fitFeatureExtractor, fitFeatureExtractorAsync } from './fit.js';
export type { FeatureFitter } from './fit.js';
export { featureDimension, transformRow, transformRows, transformInto, inputColumns } from './transform.js';
export type { FeatureMatrix } from './transform.js';
export { encodeLabel, encodeLabels, encodeDataset, decodePrediction, decodeRegression } from './labels.js';
export type { EncodedLabels, EncodedDataset } from './labels.js';
export {
  featuresJsonSchema,
  serializeFeatures,
  deserializeFeatures,
  FEATURES_FORMAT,
  FEATURES_VERSION,
  FEATURES_HASH,
} from './serialize.js';
export type { FeaturesJson } from './serialize.js';
export { SPARSE_POOLINGS, SPARSE_INPUT_NAMES, SparseEncoder, modelFeatureInput, modelInputArrays, packSparseRows, sparseRows, sparseInputDimension } from './sparse.js';
export type { ModelFeatureInput, ModelInputArrays, SparsePooling, SparseMatrix, SparseRow } from './sparse.js';
export { argMax, classificationReport, emptyConfusion } from './metrics.js';
export type { ClassMetrics, ClassificationReport } from './metrics.js';
