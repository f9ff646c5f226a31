import { describe, expect, it } from 'vitest';
import { FeatureError } from './errors.js';
import { fitFeatureExtractor } from './fit.js';
import { decodePrediction, decodeRegression } from './labels.js';
import { deserializeFeatures, serializeFeatures } from './serialize.js';
import type { FeaturesJson } from './serialize.js';
import { transformRows } from './transform.js';
import type { FeatureRow } from './types.js';

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

const rows: FeatureRow[] = [
  { متن: 'این گوشی عالی است و دوربینش فوق‌العاده است', قیمت: '۱۲٬۵۰۰', برند: 'الف', برچسب: 'خوب' },
  { متن: 'باتری زود تمام می‌شود و صفحه‌اش کم‌نور است', قیمت: 9000, برند: 'ب', برچسب: 'بد' },
  { متن: 'ارزش خرید دارد، سریع و خوش‌دست است', قیمت: '11000', برند: 'الف', برچسب: 'خوب' },
  { متن: 'گرم می‌شود و صدایش ضعیف است', قیمت: null, برند: 'ج', برچسب: 'بد' },
  { متن: 'کیفیت ساخت خوبی دارد', قیمت: 15000, برند: 'ب', برچسب: 'خوب' },
];

const fitted = fitFeatureExtractor(rows, {
  task: 'tabular-classification',
  textColumn: 'متن',
  featureColumns: [
    { name: 'قیمت', kind: 'number' },
    { name: 'برند', kind: 'category' },
  ],
  labelColumn: 'برچسب',
});

function roundTrip(): FeaturesJson {
  return JSON.parse(JSON.stringify(serializeFeatures(fitted))) as FeaturesJson;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof FeatureError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'accepted';
}

describe('features.json', () => {
  it('serialize → JSON text → deserialize gives bit-identical vectors and labels', () => {
    const text = JSON.stringify(serializeFeatures(fitted));
    const loaded = deserializeFeatures(text);
    expect(loaded.dim).toBe(fitted.dim);
    expectSameArray(transformRows(loaded, rows).x, transformRows(fitted, rows).x);
    const probe = [{ متن: 'یک گوشی تازه', قیمت: '۱۰۰۰۰', برند: 'د' }];
    expectSameArray(transformRows(loaded, probe).x, transformRows(fitted, probe).x);
    expect(decodePrediction(loaded, [0.3, 0.7])).toEqual(decodePrediction(fitted, [0.3, 0.7]));
    const fromObject = deserializeFeatures(JSON.parse(text));
    expectSameArray(fromObject.text?.idf, loaded.text?.idf);
    expect({ ...fromObject, text: null }).toEqual({ ...loaded, text: null });
    expect(JSON.stringify(serializeFeatures(loaded))).toBe(text);
  });

  it('is compact: no vocabulary, idf rounded to 1e-6', () => {
    const text = JSON.stringify(serializeFeatures(fitted));
    expect(text.length).toBeLessThan(4096 * 10 + 2000);
    for (const v of serializeFeatures(fitted).text!.idf) expect(Math.round(v * 1e6) / 1e6).toBe(v);
  });

  it('round-trips a regression fit', () => {
    const data = [1, 2, 3, 4].map((x) => ({ x, y: x * x }));
    const f = fitFeatureExtractor(data, { task: 'tabular-regression', featureColumns: [{ name: 'x', kind: 'number' }], labelColumn: 'y' });
    const loaded = deserializeFeatures(JSON.stringify(serializeFeatures(f)));
    expectSameArray(transformRows(loaded, data).x, transformRows(f, data).x);
    expect(decodeRegression(loaded, 0.5)).toBe(decodeRegression(f, 0.5));
  });

  it('refuses anything malformed, naming the problem', () => {
    const cases: [string, unknown, RegExp][] = [
      ['not JSON', '{"format": "sokhan-features",', /not valid JSON/],
      ['not an object', 42, /root/],
      ['another format', { ...roundTrip(), format: 'other' }, /format/],
      ['a future version', { ...roundTrip(), version: 2 }, /version/],
      ['another hash', (() => { const j = roundTrip(); j.text!.hash = 'md5' as never; return j; })(), /text\.hash/],
      ['idf too short', (() => { const j = roundTrip(); j.text!.idf.pop(); return j; })(), /one value per bucket/],
      ['negative idf', (() => { const j = roundTrip(); j.text!.idf[3] = -1; return j; })(), /negative/],
      ['buckets not a power of two', (() => { const j = roundTrip(); j.text!.buckets = 4000; j.text!.idf.length = 4000; return j; })(), /power of two/],
      ['a zero std', (() => { const j = roundTrip(); j.columns[0] = { kind: 'number', name: 'قیمت', mean: 1, std: 0 }; return j; })(), /positive/],
      ['a single class', (() => { const j = roundTrip(); if (j.label.kind === 'classification') { j.label.classes = ['خوب']; j.label.counts = [3]; } return j; })(), /classes/],
      ['task and label disagree', { ...roundTrip(), task: 'tabular-regression' }, /label\.kind/],
      ['duplicate columns', (() => { const j = roundTrip(); j.columns[1]!.name = 'قیمت'; return j; })(), /unique/],
      ['an idf value as a string', JSON.stringify(roundTrip()).replace('"idf":[', '"idf":["1",'), /idf/],
    ];
    for (const [what, input, message] of cases) {
      const result = codeOf(() => deserializeFeatures(input));
      expect(result, what).toMatch(/^INVALID_FEATURES_JSON: /);
      expect(result, what).toMatch(message);
    }
  });
});
