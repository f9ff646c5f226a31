import { normalizePersian } from '../../common/src/persian/normalize.js';

/**
 * Throughput of normalizePersian on a generated Persian corpus (news-like words with Arabic ي/ك, mixed digits,
 * spaced suffixes, glued «می», diacritics, tatweel, bidi marks), against a naive chain of String.replaceAll calls
 * that only does the character mapping, measured in the same run.
 */

const WORDS = (
  'ايران كشور بزرگ است و مردم آن مي خواهند كتاب ها را بخوانند. دولت ميخواهد قيمت را ۱۲٬۵۰۰ تومان كند؛ ' +
  'اين بزرگ تر از آن بود و بزرگ ترين شهر تهران است. نمیدانم چرا او خسته ای بود؟ دانشجو ها در ميدان جمع شدند، ' +
  'نرخ تورم ٤٥٫٢ درصد شد. عَلِيٌّ رفتـــه اند و میروند. \u202Bشبكه\u202C خبر گزارش داد: ۱۴۰۳/۰۵/۱۲ روز مهمی بود. ' +
  'پژوهشگران دانشگاه صنعتی شريف مدل هاي زبانی فارسي را آموزش می دهند و نتايج را منتشر می كنند.'
).split(' ');

function corpus(targetChars: number): string {
  let seed = 12345;
  const parts: string[] = [];
  let size = 0;
  while (size < targetChars) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const w = WORDS[seed % WORDS.length] as string;
    parts.push(w);
    size += w.length + 1;
    if (seed % 23 === 0) parts.push('\n');
  }
  return parts.join(' ');
}

const NAIVE_PAIRS: Array<[string, string]> = [
  ['ي', 'ی'], ['ى', 'ی'], ['ك', 'ک'], ['ة', 'ه'], ['ۀ', 'ه'], ['ـ', ''],
  ['\u064B', ''], ['\u064C', ''], ['\u064D', ''], ['\u064E', ''], ['\u064F', ''], ['\u0650', ''], ['\u0651', ''],
  ['\u0652', ''], ['\u0670', ''], ['\u200E', ''], ['\u200F', ''], ['\u202A', ''], ['\u202B', ''], ['\u202C', ''],
  ['\u202D', ''], ['\u202E', ''],
  ...Array.from({ length: 10 }, (_, d): [string, string] => [String.fromCharCode(0x06f0 + d), String(d)]),
  ...Array.from({ length: 10 }, (_, d): [string, string] => [String.fromCharCode(0x0660 + d), String(d)]),
];

/** The baseline: character mapping by replaceAll, whitespace folded, NFC — no half-space or punctuation rules. */
function naiveNormalize(text: string): string {
  let s = text;
  for (const [from, to] of NAIVE_PAIRS) s = s.replaceAll(from, to);
  return s.replace(/\s+/g, ' ').trim().normalize('NFC');
}

function mbPerSecond(fn: (s: string) => string, text: string, bytes: number, minMs: number): number {
  fn(text); // warm up
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs || runs < 3) {
    fn(text);
    runs++;
    elapsed = performance.now() - start;
  }
  return (bytes * runs) / 1e6 / (elapsed / 1000);
}

export async function benchNormalize(): Promise<{ name: string; figures: Record<string, number | string> }> {
  const text = corpus(2_000_000);
  const bytes = new TextEncoder().encode(text).length;
  const ours = mbPerSecond((s) => normalizePersian(s), text, bytes, 1500);
  // Text already in normal form (Persian keyboard, clean spacing): the common case for re-runs.
  const clean = normalizePersian(text);
  const cleanBytes = new TextEncoder().encode(clean).length;
  const oursClean = mbPerSecond((s) => normalizePersian(s), clean, cleanBytes, 1000);
  const naive = mbPerSecond(naiveNormalize, text, bytes, 1500);
  // Many short rows (dataset cells) stress the per-call overhead instead of the scan.
  const rows = text.split('\n');
  const perRow = mbPerSecond(
    () => {
      for (const r of rows) normalizePersian(r);
      return '';
    },
    text,
    bytes,
    1500,
  );
  return {
    name: 'Persian normalisation (normalizePersian vs naive replaceAll chain)',
    figures: {
      corpusMB: Number((bytes / 1e6).toFixed(2)),
      rows: rows.length,
      normalizeMBps: Number(ours.toFixed(1)),
      normalizePerRowMBps: Number(perRow.toFixed(1)),
      normalizeCleanTextMBps: Number(oursClean.toFixed(1)),
      naiveReplaceAllMBps: Number(naive.toFixed(1)),
      ratioVsNaive: Number((ours / naive).toFixed(2)),
      note: 'the naive chain maps characters only (no half-space, punctuation or presentation-form rules)',
    },
  };
}
