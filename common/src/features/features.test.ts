import { describe, expect, it } from 'vitest';
import { FeatureError } from './errors.js';
import { createFeatureFitter, fitFeatureExtractor, fitFeatureExtractorAsync } from './fit.js';
import { featureHash } from './hash.js';
import { decodePrediction, decodeRegression, encodeDataset, encodeLabels } from './labels.js';
import type { FeatureSpec } from './spec.js';
import { featureTokens } from './text-features.js';
import { featureDimension, inputColumns, transformInto, transformRow, transformRows } from './transform.js';
import type { FittedFeatures, FeatureRow } from './types.js';

/** Bit-for-bit comparison of numeric arrays (toEqual walks long typed arrays slowly). */
function expectSameArray(actual: ArrayLike<number> | undefined, expected: ArrayLike<number> | undefined): void {
  expect(actual?.length).toBe(expected?.length);
  let firstDifference = -1;
  for (let i = 0; actual && expected && i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      firstDifference = i;
      break;
    }
  }
  expect(firstDifference, `first differing index ${firstDifference}`).toBe(-1);
}

const REVIEWS: FeatureRow[] = [
  { text: 'این فیلم واقعاً عالی بود و بازیگرانش فوق‌العاده بودند', label: 'مثبت' },
  { text: 'کتاب خوبی بود، خواندنش را به همه پیشنهاد می‌کنم', label: 'مثبت' },
  { text: 'غذای رستوران خوشمزه بود و کارکنان مهربان بودند', label: 'مثبت' },
  { text: 'از خرید این گوشی خیلی راضی هستم', label: 'مثبت' },
  { text: 'کیفیت صدا عالی است و باتری خوب کار می‌کند', label: 'مثبت' },
  { text: 'سفر خوبی بود و هتل تمیز بود', label: 'مثبت' },
  { text: 'فیلم خسته‌کننده بود و داستان ضعیفی داشت', label: 'منفی' },
  { text: 'کتاب بدی بود و وقتم را تلف کرد', label: 'منفی' },
  { text: 'غذا سرد بود و کارکنان بی‌ادب بودند', label: 'منفی' },
  { text: 'از خرید این گوشی پشیمانم، خیلی زود خراب شد', label: 'منفی' },
  { text: 'کیفیت صدا افتضاح است و باتری زود تمام می‌شود', label: 'منفی' },
  { text: 'هتل کثیف بود و سفرمان خراب شد', label: 'منفی' },
];

const TEXT_SPEC: FeatureSpec = { task: 'text-classification', textColumn: 'text', labelColumn: 'label' };

function l2(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

function nonZero(v: Float32Array): Map<number, number> {
  const m = new Map<number, number>();
  v.forEach((x, i) => {
    if (x !== 0) m.set(i, x);
  });
  return m;
}

/** The textbook way: build every feature string, hash it, count in a Map, weight, normalise. */
function referenceVector(fitted: FittedFeatures, text: string): Float32Array {
  const t = fitted.text!;
  const tokens = featureTokens(t, text);
  const counts = new Map<number, number>();
  const add = (feature: string) => {
    const b = featureHash(feature) & (t.buckets - 1);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  };
  for (let i = 0; i < tokens.length; i++) {
    for (let n = t.word!.min; n <= t.word!.max && i + n <= tokens.length; n++) add('w:' + tokens.slice(i, i + n).join(' '));
  }
  for (const token of tokens) {
    const padded = ' ' + token + ' ';
    for (let i = 0; i < padded.length; i++) {
      for (let n = t.char!.min; n <= t.char!.max && i + n <= padded.length; n++) add('c:' + padded.slice(i, i + n));
    }
  }
  const out = new Float32Array(fitted.dim);
  let norm = 0;
  const weights = new Map<number, number>();
  for (const [b, tf] of counts) {
    const w = (t.sublinearTf ? 1 + Math.log(tf) : tf) * t.idf[b]!;
    weights.set(b, w);
    norm += w * w;
  }
  for (const [b, w] of weights) out[b] = w / Math.sqrt(norm);
  return out;
}

describe('text features', () => {
  const fitted = fitFeatureExtractor(REVIEWS, TEXT_SPEC);

  it('fits the defaults: 4096 buckets, classes in code-unit order, all rows used', () => {
    expect(featureDimension(fitted)).toBe(4096);
    expect(fitted.text?.idf.length).toBe(4096);
    expect(fitted.label).toMatchObject({ kind: 'classification', classes: ['مثبت', 'منفی'], counts: [6, 6] });
    expect(fitted.rows).toEqual({ seen: 12, used: 12 });
    expect(inputColumns(fitted)).toEqual([{ name: 'text', kind: 'text' }]);
  });

  it('gives the same vector every time, and a refit gives the same state', () => {
    const row = { text: 'فیلم عالی بود' };
    const a = transformRow(fitted, row);
    expectSameArray(transformRow(fitted, row), a);
    const again = fitFeatureExtractor(REVIEWS, TEXT_SPEC);
    expectSameArray(again.text?.idf, fitted.text?.idf);
    expectSameArray(transformRow(again, row), a);
  });

  it('matches a naive implementation that builds and hashes every n-gram string', () => {
    for (const text of ['فیلم عالی بود', 'کتاب‌ها خیلی خوب بودند و من راضی‌ام', 'Hello دنیا 123']) {
      const ours = transformRow(fitted, { text });
      const reference = referenceVector(fitted, text);
      expect([...nonZero(ours).keys()].sort()).toEqual([...nonZero(reference).keys()].sort());
      let maxDiff = 0;
      ours.forEach((x, i) => (maxDiff = Math.max(maxDiff, Math.abs(x - reference[i]!))));
      expect(maxDiff).toBeLessThan(1e-7);
    }
  });

  it('is L2-normalised', () => {
    for (const row of [...REVIEWS, { text: 'یک جمله‌ی کاملاً تازه با واژه‌های ناشناخته' }]) {
      expect(l2(transformRow(fitted, row))).toBeCloseTo(1, 5);
    }
  });

  it('gives a zero vector for empty or missing text', () => {
    for (const row of [{ text: '' }, { text: null }, {}, { text: '   ' }]) {
      expect(l2(transformRow(fitted, row))).toBe(0);
    }
  });

  it('weights rare words above common ones (idf)', () => {
    const rows: FeatureRow[] = [];
    for (let i = 0; i < 20; i++) rows.push({ text: i === 0 ? 'خوب شگفت‌انگیز' : `خوب ${i % 2 ? 'بد' : 'متوسط'}`, label: i % 2 ? 'a' : 'b' });
    const f = fitFeatureExtractor(rows, { ...TEXT_SPEC, ngram: { word: { min: 1, max: 1 }, char: false } });
    const common = featureHash('w:خوب') & 4095;
    const rare = featureHash('w:شگفت‌انگیز') & 4095;
    expect(common).not.toBe(rare);
    expect(f.text!.idf[rare]!).toBeGreaterThan(f.text!.idf[common]!);
    const v = transformRow(f, { text: 'خوب شگفت‌انگیز' });
    expect(v[rare]!).toBeGreaterThan(v[common]!);
    // Both words occur once, so tf is equal and the ratio of weights is the ratio of idfs.
    expect(v[rare]! / v[common]!).toBeCloseTo(f.text!.idf[rare]! / f.text!.idf[common]!, 5);
  });

  it('drops features never seen in training (minDf 1), like a vocabulary would', () => {
    const f = fitFeatureExtractor(REVIEWS, { ...TEXT_SPEC, ngram: { word: { min: 1, max: 1 }, char: false } });
    const unseen = featureHash('w:زیردریایی') & 4095;
    expect(f.text!.idf[unseen]).toBe(0);
    expect(l2(transformRow(f, { text: 'زیردریایی' }))).toBe(0);
  });

  it('gives Arabic ي/ك and Persian ی/ک spellings the same vector', () => {
    const persian = transformRow(fitted, { text: 'کتاب خوبی بود و کیفیت صدا عالی است' });
    const arabic = transformRow(fitted, { text: 'كتاب خوبي بود و كيفيت صدا عالي است' });
    expect(l2(persian)).toBeGreaterThan(0.99);
    expectSameArray(arabic, persian);
  });

  it('transformRows packs rows into one flat buffer identical to transformRow', () => {
    const m = transformRows(fitted, REVIEWS);
    expect(m.rows).toBe(12);
    expect(m.dim).toBe(4096);
    expect(m.x.length).toBe(12 * 4096);
    REVIEWS.forEach((row, i) => expectSameArray(m.x.subarray(i * 4096, (i + 1) * 4096), transformRow(fitted, row)));
    const buffer = new Float32Array(4096 * 2).fill(7);
    transformInto(fitted, REVIEWS[1]!, buffer, 4096);
    expectSameArray(buffer.subarray(4096), transformRow(fitted, REVIEWS[1]!));
    expect(buffer[0]).toBe(7);
    expect(() => transformInto(fitted, REVIEWS[1]!, buffer, 4097)).toThrow(RangeError);
    // A reused buffer: the used range is cleared and returned as a view, the rest is left alone.
    const reused = new Float32Array(13 * 4096).fill(3);
    const again = transformRows(fitted, REVIEWS, reused);
    expect(again.x.buffer).toBe(reused.buffer);
    expectSameArray(again.x, m.x);
    expect(reused[12 * 4096]).toBe(3);
    expect(() => transformRows(fitted, REVIEWS, new Float32Array(4096))).toThrow(RangeError);
  });

  it('honours buckets and n-gram settings', () => {
    const f = fitFeatureExtractor(REVIEWS, { ...TEXT_SPEC, buckets: 256, ngram: { word: false, char: { min: 3, max: 3 } }, sublinearTf: false });
    expect(f.dim).toBe(256);
    const v = transformRow(f, { text: 'بود' });
    // " بود " has exactly three 3-grams.
    expect(nonZero(v).size).toBeLessThanOrEqual(3);
    expect(nonZero(v).size).toBeGreaterThan(0);
  });
});

describe('fitting in one pass', () => {
  it('a generator, an async stream and an array give the same fit', async () => {
    function* rows() {
      yield* REVIEWS;
    }
    async function* stream() {
      for (const row of REVIEWS) yield row;
    }
    const fromArray = fitFeatureExtractor(REVIEWS, TEXT_SPEC);
    const fromGenerator = fitFeatureExtractor(rows(), TEXT_SPEC);
    const fromStream = await fitFeatureExtractorAsync(stream(), TEXT_SPEC);
    expectSameArray(fromGenerator.text?.idf, fromArray.text?.idf);
    expectSameArray(fromStream.text?.idf, fromArray.text?.idf);
    const fitter = createFeatureFitter(TEXT_SPEC);
    for (const row of REVIEWS) fitter.add(row);
    fitter.add({ text: 'بدون برچسب', label: '' });
    expect([fitter.rowsSeen, fitter.rowsUsed]).toEqual([13, 12]);
    expectSameArray(fitter.finish().text?.idf, fromArray.text?.idf);
  });

  it('refuses specs that cannot work, listing the problem', () => {
    const bad: [FeatureSpec, RegExp][] = [
      [{ task: 'text-classification', labelColumn: 'label' }, /textColumn/],
      [{ ...TEXT_SPEC, buckets: 1000 }, /power of two/],
      [{ ...TEXT_SPEC, textColumn: 'label' }, /label column cannot be an input/],
      [{ ...TEXT_SPEC, ngram: { word: false, char: false } }, /both be off/],
      [{ ...TEXT_SPEC, ngram: { char: { min: 4, max: 2 } } }, /max must be at least min/],
      [{ task: 'tabular-regression', labelColumn: 'y' }, /feature columns/],
    ];
    for (const [spec, message] of bad) {
      expect(() => createFeatureFitter(spec)).toThrow(message);
    }
  });

  it('says why a fit is impossible', () => {
    const fail = (rows: FeatureRow[], spec: FeatureSpec) => {
      try {
        fitFeatureExtractor(rows, spec);
      } catch (e) {
        return (e as FeatureError).code;
      }
      return 'fitted';
    };
    expect(fail([], TEXT_SPEC)).toBe('NO_ROWS');
    expect(fail([{ text: 'سلام', label: null }], TEXT_SPEC)).toBe('NO_ROWS');
    expect(fail([{ text: 'سلام', label: 'a' }, { text: 'خداحافظ', label: 'a' }], TEXT_SPEC)).toBe('TOO_FEW_CLASSES');
    const many = Array.from({ length: 1001 }, (_, i) => ({ text: 'x', label: `c${i}` }));
    expect(fail(many, TEXT_SPEC)).toBe('TOO_MANY_CLASSES');
  });
});

describe('tabular features', () => {
  const rows: FeatureRow[] = [
    { age: 1, city: 'تهران', score: '10', y: 'a' },
    { age: '2', city: 'شیراز', score: '۲۰', y: 'b' },
    { age: 3, city: 'تهران', score: '30', y: 'a' },
    { age: '۴', city: 'تبریز', score: '40', y: 'b' },
    { age: 5, city: 'تهران', score: null, y: 'a' },
  ];
  const spec: FeatureSpec = {
    task: 'tabular-classification',
    featureColumns: [
      { name: 'age', kind: 'number' },
      { name: 'city', kind: 'category' },
    ],
    labelColumn: 'y',
    maxCategories: 2,
  };
  const fitted = fitFeatureExtractor(rows, spec);

  it('standardises numbers with the fitted mean and std (Persian digits accepted)', () => {
    const age = fitted.columns[0]!;
    expect(age).toMatchObject({ kind: 'number', name: 'age', offset: 0, mean: 3 });
    expect(age.kind === 'number' && age.std).toBeCloseTo(Math.sqrt(2), 12);
    expect(transformRow(fitted, { age: 5, city: 'تهران' })[0]).toBeCloseTo(2 / Math.sqrt(2), 6);
    expect(transformRow(fitted, { age: '۱', city: 'تهران' })[0]).toBeCloseTo(-2 / Math.sqrt(2), 6);
  });

  it('maps a missing or unparsable number to the mean, i.e. 0', () => {
    for (const age of [undefined, null, '', 'نامعلوم', NaN]) expect(transformRow(fitted, { age, city: 'تهران' })[0]).toBe(0);
  });

  it('one-hot encodes the most frequent categories with a last "unknown" position', () => {
    // تهران ×3, then شیراز/تبریز ×1 each: the tie goes to code-unit order, so تبریز is kept (maxCategories 2).
    expect(inputColumns(fitted)).toEqual([
      { name: 'age', kind: 'number' },
      { name: 'city', kind: 'category', values: ['تهران', 'تبریز'] },
    ]);
    expect(featureDimension(fitted)).toBe(1 + 3);
    expect(Array.from(transformRow(fitted, { age: 3, city: 'تهران' }))).toEqual([0, 1, 0, 0]);
    expect(Array.from(transformRow(fitted, { age: 3, city: ' تبریز ' }))).toEqual([0, 0, 1, 0]);
    expect(Array.from(transformRow(fitted, { age: 3, city: 'شیراز' }))).toEqual([0, 0, 0, 1]);
    expect(Array.from(transformRow(fitted, { age: 3 }))).toEqual([0, 0, 0, 1]);
  });

  it('combines a text column with feature columns: text block first', () => {
    const f = fitFeatureExtractor(
      REVIEWS.map((r, i) => ({ ...r, stars: i % 5 })),
      { task: 'tabular-classification', textColumn: 'text', featureColumns: [{ name: 'stars', kind: 'number' }], labelColumn: 'label', buckets: 512 },
    );
    expect(f.dim).toBe(513);
    expect(f.columns[0]?.offset).toBe(512);
  });
});

describe('labels', () => {
  it('round-trips class labels through indices, and decodes probabilities sorted', () => {
    const f = fitFeatureExtractor(REVIEWS, TEXT_SPEC);
    const encoded = encodeLabels(f, REVIEWS);
    if (encoded.kind !== 'classification') throw new Error('expected classification');
    expect(Array.from(encoded.indices, (i) => encoded.classes[i])).toEqual(REVIEWS.map((r) => r.label));
    expect(decodePrediction(f, [0.2, 0.8])).toEqual([
      { label: 'منفی', probability: 0.8 },
      { label: 'مثبت', probability: 0.2 },
    ]);
    expect(decodePrediction(f, Float32Array.of(0.75, 0.25))[0]?.label).toBe('مثبت');
    // A single sigmoid output is P(classes[1]).
    expect(decodePrediction(f, [0.9])[0]).toEqual({ label: 'منفی', probability: 0.9 });
    expect(() => decodePrediction(f, [0.1, 0.2, 0.7])).toThrow(FeatureError);
    expect(() => decodePrediction(f, [NaN, 1])).toThrow(/finite/);
    expect(() => decodeRegression(f, 1)).toThrow(FeatureError);
  });

  it('orders numeric class labels as numbers', () => {
    const f = fitFeatureExtractor(
      ['10', '2', '1', '2', '10'].map((y) => ({ x: 1, y })),
      { task: 'tabular-classification', featureColumns: [{ name: 'x', kind: 'number' }], labelColumn: 'y' },
    );
    expect(f.label.kind === 'classification' && f.label.classes).toEqual(['1', '2', '10']);
  });

  it('names the row of a missing or unknown label, and encodeDataset skips such rows', () => {
    const f = fitFeatureExtractor(REVIEWS, TEXT_SPEC);
    const rows: FeatureRow[] = [REVIEWS[0]!, { text: 'بی‌برچسب' }, { text: 'برچسب تازه', label: 'خنثی' }, REVIEWS[6]!];
    expect(() => encodeLabels(f, rows)).toThrow(expect.objectContaining({ code: 'MISSING_LABEL', row: 1 }));
    expect(() => encodeLabels(f, rows.filter((_, i) => i !== 1))).toThrow(expect.objectContaining({ code: 'UNKNOWN_LABEL', row: 1 }));
    const ds = encodeDataset(f, rows);
    expect([ds.rows, ds.skipped, ds.dim, ds.x.length]).toEqual([2, 2, 4096, 2 * 4096]);
    expect(ds.labels.kind === 'classification' && Array.from(ds.labels.indices)).toEqual([0, 1]);
    expectSameArray(ds.x.subarray(4096), transformRow(f, REVIEWS[6]!));
  });

  it('standardises a regression target and maps predictions back', () => {
    const rows = [1, 2, 3, 4, 5, 6].map((x) => ({ x, price: 100 + 10 * x }));
    const f = fitFeatureExtractor(rows, { task: 'tabular-regression', featureColumns: [{ name: 'x', kind: 'number' }], labelColumn: 'price' });
    const encoded = encodeLabels(f, rows);
    if (encoded.kind !== 'regression') throw new Error('expected regression');
    const mean = encoded.values.reduce((a, b) => a + b, 0) / rows.length;
    expect(mean).toBeCloseTo(0, 6);
    encoded.values.forEach((v, i) => {
      expect(decodeRegression(f, v)).toBeCloseTo(rows[i]!.price, 4);
      expect(decodeRegression(f, [v])).toBeCloseTo(rows[i]!.price, 4);
    });
    expect(() => decodePrediction(f, [0.5])).toThrow(FeatureError);
  });
});
