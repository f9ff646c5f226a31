import { classificationReport, emptyConfusion, type ClassificationReport } from '@sokhan/common';

/** Accuracy, macro-F1 and the rest from true and predicted labels: every system in a bench is scored by this one. */
export function reportOf(labels: readonly string[], truth: readonly string[], predicted: readonly string[]): ClassificationReport {
  const index = new Map(labels.map((l, i) => [l, i]));
  const confusion = emptyConfusion(labels.length);
  truth.forEach((t, i) => {
    const p = index.get(predicted[i]!);
    if (p === undefined) throw new Error(`a prediction outside the classes: ${predicted[i]}`);
    confusion[index.get(t)!]![p]! += 1;
  });
  return classificationReport(labels, confusion);
}
