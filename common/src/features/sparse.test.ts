import { describe, expect, it } from 'vitest';
import { fitFeatureExtractor } from './fit.js';
import { classificationReport } from './metrics.js';
import { SparseEncoder, modelFeatureInput, sparseRows } from './sparse.js';
import { transformRow } from './transform.js';

const rows = [
  { text: 'این کتاب خیلی خوب بود', city: 'تهران', n: 3, label: 'مثبت' },
  { text: 'بد بود و پولم هدر رفت', city: 'شیراز', n: 1, label: 'منفی' },
  { text: 'كتاب خوبي بود', city: 'کرج', n: null, label: 'مثبت' },
  { text: '', city: null, n: 7, label: 'منفی' },
];

describe('SparseEncoder', () => {
  it('holds exactly the non-zeros of the dense vector, then the bias slot', () => {
    const fitted = fitFeatureExtractor(rows, {
      task: 'tabular-classification',
      textColumn: 'text',
      featureColumns: [
        { name: 'city', kind: 'category' },
        { name: 'n', kind: 'number' },
      ],
      labelColumn: 'label',
      buckets: 256,
    });
    const encoder = new SparseEncoder(fitted);
    for (const row of [...rows, { text: 'متن تازه', city: 'اصفهان', n: 'x' }]) {
      const dense = transformRow(fitted, row);
      const sparse = encoder.encode(row);
      const rebuilt = new Float32Array(fitted.dim);
      for (let i = 0; i < sparse.length - 1; i++) rebuilt[sparse.ids[i]!] = (rebuilt[sparse.ids[i]!] ?? 0) + sparse.weights[i]!;
      expect(Array.from(rebuilt)).toEqual(Array.from(dense));
      expect(sparse.ids[sparse.length - 1]).toBe(fitted.dim);
      expect(sparse.weights[sparse.length - 1]).toBe(1);
      expect(sparse.length - 1).toBe(dense.filter((v) => v !== 0).length);
    }
  });

  it('mean pooling weighs text n-grams by count / total, and rows pad with (0, 0)', () => {
    const fitted = fitFeatureExtractor(rows, { task: 'text-classification', textColumn: 'text', labelColumn: 'label', buckets: 1024 });
    const m = sparseRows(fitted, [rows[0]!, rows[2]!], 'mean');
    expect(m.rows).toBe(2);
    const first = Array.from(m.weights.subarray(0, m.width));
    const n = first.findIndex((w, i) => i > 0 && m.ids[i] === fitted.dim);
    expect(first.slice(0, n).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const second = Array.from(m.ids.subarray(m.width, 2 * m.width));
    const bias = second.indexOf(fitted.dim);
    expect(second.slice(bias + 1).every((id) => id === 0)).toBe(true);
    expect(Array.from(m.weights.subarray(m.width + bias + 1, 2 * m.width)).every((w) => w === 0)).toBe(true);
  });

  it('reads the input kind from model metadata, dense when absent', () => {
    expect(modelFeatureInput(undefined)).toEqual({ input: 'dense', pooling: 'tfidf' });
    expect(modelFeatureInput({ sokhan: { input: 'sparse', pooling: 'mean' } })).toEqual({ input: 'sparse', pooling: 'mean' });
  });
});

describe('classificationReport', () => {
  it('matches scikit-learn on a small confusion matrix', () => {
    // y_true = [a a a b b c], y_pred = [a a b b c c]: sklearn gives accuracy 4/6, macro F1 (0.8 + 0.5 + 0.6667) / 3.
    const r = classificationReport(['a', 'b', 'c'], [
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(r.rows).toBe(6);
    expect(r.accuracy).toBeCloseTo(4 / 6, 10);
    expect(r.perClass.map((c) => +c.f1.toFixed(4))).toEqual([0.8, 0.5, 0.6667]);
    expect(r.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 10);
    expect(r.perClass[1]).toMatchObject({ precision: 0.5, recall: 0.5, support: 2 });
  });
});
