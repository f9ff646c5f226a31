import { argMax, classificationReport, emptyConfusion, seededRandom, type ClassificationReport, type FittedFeatures, type ModelInput } from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';
import { batchInputs, inBatches, lengthBatches, type EncodedRow } from './training-batches.js';

/** Rows to score (order does not matter): at least 256 a batch, sparse ones grouped by length. */
export const evalBatches = (rows: AsyncIterable<EncodedRow>, input: ModelInput, batchSize: number) =>
  input === 'sparse' ? lengthBatches(rows, Math.max(batchSize, 256), seededRandom(0)) : inBatches(rows, Math.max(batchSize, 256));

/** Confusion matrix of the model on encoded rows (classification), batch by batch; null for regression. */
export async function evaluateRows(model: tf.LayersModel, rows: AsyncIterable<EncodedRow>, fitted: FittedFeatures, input: ModelInput, batchSize: number): Promise<ClassificationReport | null> {
  const label = fitted.label;
  if (label.kind !== 'classification') return null;
  const k = label.classes.length;
  const confusion = emptyConfusion(k);
  for await (const batch of evalBatches(rows, input, batchSize)) {
    const out = tf.tidy(() => {
      const xs = batchInputs(batch, fitted.dim);
      return (model.predict(xs) as tf.Tensor).dataSync();
    });
    batch.forEach((r, i) => confusion[r.target]![argMax(out, i * k, k)]! += 1);
  }
  return classificationReport(label.classes, confusion);
}
