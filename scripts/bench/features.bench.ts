import { performance } from 'node:perf_hooks';
import {
  featureHash,
  fitFeatureExtractor,
  serializeFeatures,
  featureTokens,
  transformRows,
} from '../../common/src/features/index.js';
import type { FittedFeatures, FeatureRow } from '../../common/src/features/index.js';
import { seededRandom } from '../../common/src/random.js';

/**
 * Feature extraction throughput: rows/s of transformRows (incremental hashing into one flat buffer) against
 * a naive extractor in the same run (n-gram strings built by concatenation, counted in a Map, one array per
 * row). Both use the same normaliser and produce the same vectors; the run checks that. transformRows is
 * timed into a reused buffer (as a batching trainer calls it) and into a fresh one (page faults included).
 */

const WORDS = [
  'این', 'فیلم', 'کتاب', 'غذا', 'رستوران', 'گوشی', 'باتری', 'کیفیت', 'صدا', 'تصویر', 'داستان', 'بازیگر',
  'خیلی', 'واقعاً', 'بسیار', 'کمی', 'عالی', 'خوب', 'بد', 'ضعیف', 'افتضاح', 'فوق‌العاده', 'معمولی', 'گران',
  'ارزان', 'سریع', 'کند', 'بود', 'است', 'نیست', 'می‌کنم', 'نمی‌کنم', 'پیشنهاد', 'خرید', 'دوباره', 'هرگز',
  'و', 'اما', 'ولی', 'چون', 'که', 'از', 'به', 'با', 'برای', 'در', 'را', 'هم', 'کتاب‌ها', 'بازیگرانش',
  'كيفيت', 'خوبي', 'ديدم', 'يك', '۱۲', '۳۴۵', 'سال', 'روز', 'هفته', 'پشتیبانی', 'ارسال', 'بسته‌بندی',
];

function sentences(count: number, seed: number): FeatureRow[] {
  const random = seededRandom(seed);
  const rows: FeatureRow[] = [];
  for (let i = 0; i < count; i++) {
    const length = 6 + Math.floor(random() * 14);
    const words: string[] = [];
    for (let w = 0; w < length; w++) words.push(WORDS[Math.floor(random() * WORDS.length)]!);
    rows.push({ text: words.join(' ') + (random() < 0.5 ? '!' : '.'), label: random() < 0.5 ? 'مثبت' : 'منفی' });
  }
  return rows;
}

/** The straightforward way to do the same thing. */
function naiveTransform(fitted: FittedFeatures, rows: readonly FeatureRow[]): Float32Array[] {
  const t = fitted.text!;
  const mask = t.buckets - 1;
  return rows.map((row) => {
    const tokens = featureTokens(t, String(row.text ?? ''));
    const counts = new Map<string, number>();
    const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
    for (let i = 0; i < tokens.length; i++) {
      for (let n = t.word!.min; n <= t.word!.max && i + n <= tokens.length; n++) add('w:' + tokens.slice(i, i + n).join(' '));
    }
    for (const token of tokens) {
      const padded = ' ' + token + ' ';
      for (let i = 0; i < padded.length; i++) {
        for (let n = t.char!.min; n <= t.char!.max && i + n <= padded.length; n++) add('c:' + padded.slice(i, i + n));
      }
    }
    const byBucket = new Map<number, number>();
    for (const [feature, c] of counts) {
      const b = featureHash(feature) & mask;
      byBucket.set(b, (byBucket.get(b) ?? 0) + c);
    }
    const out = new Float32Array(t.buckets);
    let norm = 0;
    const weights: [number, number][] = [];
    for (const [b, tf] of byBucket) {
      const w = (t.sublinearTf ? 1 + Math.log(tf) : tf) * t.idf[b]!;
      weights.push([b, w]);
      norm += w * w;
    }
    if (norm > 0) for (const [b, w] of weights) out[b] = w / Math.sqrt(norm);
    return out;
  });
}

function timeIt(fn: () => void, minMs = 400): number {
  fn(); // warm-up
  let runs = 0;
  const start = performance.now();
  do {
    fn();
    runs++;
  } while (performance.now() - start < minMs);
  return (performance.now() - start) / runs;
}

export async function benchFeatures(): Promise<{ name: string; figures: Record<string, number | string> }> {
  const train = sentences(20_000, 1);
  const probe = sentences(2_000, 2);

  const fitStart = performance.now();
  const fitted = fitFeatureExtractor(train, { task: 'text-classification', textColumn: 'text', labelColumn: 'label' });
  const fitMs = performance.now() - fitStart;

  let fast = transformRows(fitted, probe);
  let naive = naiveTransform(fitted, probe);
  const freshMs = timeIt(() => {
    fast = transformRows(fitted, probe);
  });
  const reused = new Float32Array(probe.length * fitted.dim);
  const fastMs = timeIt(() => {
    fast = transformRows(fitted, probe, reused);
  });
  const naiveMs = timeIt(() => {
    naive = naiveTransform(fitted, probe);
  });
  const tokenizeMs = timeIt(() => {
    for (const row of probe) featureTokens(fitted.text!, String(row.text));
  });

  let maxAbsDiff = 0;
  let nonZero = 0;
  naive.forEach((v, r) => {
    v.forEach((x, i) => {
      const y = fast.x[r * fast.dim + i]!;
      if (y !== 0) nonZero++;
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(x - y));
    });
  });
  const rowsPerSec = (ms: number) => Math.round((probe.length / ms) * 1000);

  return {
    name: 'features',
    figures: {
      buckets: fitted.dim,
      ngrams: 'word 1-2 + char 2-4, sublinear tf, smooth idf, L2',
      fitRows: train.length,
      fitRowsPerSec: Math.round((train.length / fitMs) * 1000),
      transformRowsPerSec: rowsPerSec(fastMs),
      transformRowsFreshBufferPerSec: rowsPerSec(freshMs),
      naiveRowsPerSec: rowsPerSec(naiveMs),
      speedupVsNaive: Math.round((naiveMs / fastMs) * 100) / 100,
      speedupVsNaiveFreshBuffer: Math.round((naiveMs / freshMs) * 100) / 100,
      normalizeTokenizeRowsPerSec: rowsPerSec(tokenizeMs),
      avgNonZeroPerRow: Math.round((nonZero / probe.length) * 10) / 10,
      maxAbsDiffVsNaive: maxAbsDiff,
      featuresJsonBytes: JSON.stringify(serializeFeatures(fitted)).length,
    },
  };
}
