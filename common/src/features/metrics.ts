/** Classification figures from a confusion matrix, computed the way scikit-learn's classification_report does. */

export interface ClassMetrics {
  readonly label: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Rows whose true class this is. */
  readonly support: number;
}

export interface ClassificationReport {
  /** Class names in model order; `confusion[t][p]` counts rows of true class t predicted as p. */
  readonly labels: readonly string[];
  readonly confusion: readonly (readonly number[])[];
  readonly rows: number;
  readonly accuracy: number;
  /** Unweighted mean of the per-class F1 (a class with no rows and no predictions counts 0, as in scikit-learn). */
  readonly macroF1: number;
  readonly perClass: readonly ClassMetrics[];
}

/** A zeroed classes × classes matrix to count into. */
export function emptyConfusion(classes: number): number[][] {
  return Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
}

/** The index of the largest value in out[offset .. offset + width) (the first on ties). */
export function argMax(out: ArrayLike<number>, offset = 0, width = out.length - offset): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (out[offset + j]! > out[offset + best]!) best = j;
  return best;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

export function classificationReport(labels: readonly string[], confusion: readonly (readonly number[])[]): ClassificationReport {
  const k = labels.length;
  let rows = 0;
  let correct = 0;
  const predicted = new Array<number>(k).fill(0);
  const support = new Array<number>(k).fill(0);
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const n = confusion[t]?.[p] ?? 0;
      rows += n;
      support[t]! += n;
      predicted[p]! += n;
      if (t === p) correct += n;
    }
  }
  const perClass = labels.map((label, i) => {
    const tp = confusion[i]?.[i] ?? 0;
    const precision = ratio(tp, predicted[i]!);
    const recall = ratio(tp, support[i]!);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support: support[i]! };
  });
  return {
    labels: [...labels],
    confusion: confusion.map((r) => [...r]),
    rows,
    accuracy: ratio(correct, rows),
    macroF1: k > 0 ? perClass.reduce((s, c) => s + c.f1, 0) / k : 0,
    perClass,
  };
}
