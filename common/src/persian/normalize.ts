/**
 * Persian text normalisation shared by training features, browser inference, search and speech.
 * Pure ECMAScript (no Node or DOM APIs) so it gives the same output everywhere.
 *
 * Decisions worth knowing:
 * - «ۀ» (and «ه» + U+0654) is the ezafe-marked he. The hamza is pronunciation help, like a diacritic: with
 *   `keepDiacritics` it is written the Academy's way, «هٔ» (ه + U+0654); otherwise it is dropped to «ه», so
 *   «خانهٔ ما», «خانۀ ما» and «خانه ما» match.
 * - ZWNJ after a letter that never joins the next one (ا د ذ ر ز ژ و …) is invisible; it is dropped so
 *   «آرزو‌ها» and «آرزوها» compare equal. A zero-width space (U+200B) is read as a mistyped ZWNJ.
 * - `digits: 'latin'` turns ٫ and ٬ between digits into "." and ","; `'persian'` does the reverse, for digit runs
 *   not attached to Latin letters ("mp3" stays).
 * - Line breaks survive (one, or a blank line for two or more); other whitespace folds to one space.
 * - Speed: one table-driven pass over the characters does the letter/digit map, deletions, whitespace and ZWNJ
 *   clean-up; the context rules (half-spaces, punctuation) are regular expressions compiled once, each starting
 *   with a literal so the engine can skip ahead.
 */

import { isGluedMiVerb, isVerbAfterSeparatedMi } from './verb-prefix.js';

export const ZWNJ = '\u200C';

export type DigitStyle = 'latin' | 'persian' | 'keep';

export interface NormalizeOptions {
  /** Digits out: 'latin' (default, for computation), 'persian' (for display), 'keep'. */
  digits?: DigitStyle;
  /** Keep harakat (U+064B–0652), superscript alef and the ezafe hamza (speech wants them). Default false. */
  keepDiacritics?: boolean;
  /** Keep «ة» instead of writing «ه». Default false. */
  keepTehMarbuta?: boolean;
  /** Insert half-spaces after «می/نمی» and before «ها/تر/ترین/ام/…» written with a space. Default true. */
  fixHalfSpaces?: boolean;
}

// ---- character classes: one source of truth for the expressions and the scan table ----
type Ranges = ReadonlyArray<readonly [number, number]>;

const LETTER_RANGES: Ranges = [
  [0x0621, 0x063a], [0x0641, 0x064a], [0x066e, 0x066f], [0x0671, 0x06d3], [0x06d5, 0x06d5], [0x06ee, 0x06ef],
  [0x06fa, 0x06fc], [0x06ff, 0x06ff],
];
const MARK_RANGES: Ranges = [
  [0x0610, 0x061a], [0x064b, 0x065f], [0x0670, 0x0670], [0x06d6, 0x06dc], [0x06df, 0x06e4], [0x06e7, 0x06e8],
  [0x06ea, 0x06ed],
];
/** Letters that never connect to the following letter: after them a ZWNJ is invisible. */
const NON_JOINER_RANGES: Ranges = [
  [0x0621, 0x0625], [0x0627, 0x0627], [0x0629, 0x0629], [0x062f, 0x0632], [0x0648, 0x0648], [0x0671, 0x0673],
  [0x0675, 0x0677], [0x0688, 0x0699], [0x06c0, 0x06c0], [0x06c3, 0x06cb], [0x06cd, 0x06cd], [0x06cf, 0x06cf],
  [0x06d2, 0x06d3], [0x06d5, 0x06d5], [0x06ee, 0x06ef],
];
const H_SPACE_RANGES: Ranges = [
  [0x09, 0x09], [0x0b, 0x0c], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x202f, 0x202f],
  [0x205f, 0x205f], [0x3000, 0x3000],
];
const NEWLINE_RANGES: Ranges = [[0x0a, 0x0a], [0x0d, 0x0d], [0x85, 0x85], [0x2028, 0x2029]];
const DELETED_RANGES: Ranges = [
  [0x00ad, 0x00ad], [0x200d, 0x200f], [0x202a, 0x202e], [0x2060, 0x2060], [0x2066, 0x2069], [0xfeff, 0xfeff],
];

function classOf(ranges: Ranges): string {
  const hex = (n: number) => `\\u${n.toString(16).padStart(4, '0')}`;
  return ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('');
}

const LETTERS = classOf(LETTER_RANGES);
const MARKS = classOf(MARK_RANGES);
const NON_JOINERS = classOf(NON_JOINER_RANGES);
const WORD_CHAR = `[${LETTERS}${MARKS}\\u200C]`;

// ---- context rules, compiled once; each starts with a literal, context sits in lookarounds ----
const PRESENTATION_RUN = /[\uFB50-\uFDFF\uFE70-\uFEFC]+/g;
const HAS_PRESENTATION = /[\uFB50-\uFDFF\uFE70-\uFEFC]/;
const BIDI_CONTROLS = /[\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const MARK_RUN = new RegExp(`[${MARKS}]+`, 'g');
const HAS_MARK = new RegExp(`[${MARKS}]`);
/** «می» glued to the rest of a word, at a word start, optionally after «ن» and a preverb (برمی، درنمی…). */
const GLUED_MI = new RegExp(
  `می(?<=(?<!${WORD_CHAR})((?:بر|در|باز|فرا|فرو|وا|ور)?ن?)می)([${LETTERS}][${LETTERS}${MARKS}]*)`,
  'g',
);
/** A free-standing «می»/«نمی», a space, and the next word (captured in a lookahead). */
const SEPARATED_MI = new RegExp(`می (?<=(?<!${WORD_CHAR})(ن?)می )(?=([${LETTERS}][${LETTERS}${MARKS}]*))`, 'g');
/** A space and a suffix, after a word of two or more letters (the callback picks ZWNJ or nothing). */
const SPACED_SUFFIX = new RegExp(
  ` (?:هایشان|هایتان|هایمان|هایش|هایت|هایم|هایی|های|ها|ترین|تر|ایم|اید|اند|ام)(?!${WORD_CHAR})` +
    `(?<=[${LETTERS}][${MARKS}]*([${LETTERS}])[${MARKS}]* [^ ]+)`,
  'g',
);
const NON_JOINER = new RegExp(`[${NON_JOINERS}]`);
/** «ای» after a space is the suffix only after «ه» («خانه ای»); elsewhere it is the vocative («ای خدا»). */
const SPACED_EI = new RegExp(` ای(?!${WORD_CHAR})(?<=[${LETTERS}]ه[${MARKS}]* ای)`, 'g');
/** No space before Persian punctuation (and ? : . after a Persian word; ".NET", "a : b" and " .5" stay). */
const SPACE_BEFORE_PUNCT = new RegExp(
  ` ([،؛؟!])(?<=[^\\s] .)| ([?:]|\\.(?![0-9۰-۹٠-٩A-Za-z]))(?<=[${LETTERS}${MARKS}] .)`,
  'g',
);
const NO_SPACE_AFTER_PUNCT = new RegExp(`([،؛؟!?:])(?=[${LETTERS}])`, 'g');
/** A full stop between words of two or more letters; «ق.م» and «ج.ا.ا» stay as they are. */
const NO_SPACE_AFTER_DOT = new RegExp(
  `\\.(?=[${LETTERS}][${MARKS}]*[${LETTERS}])(?<=[${LETTERS}][${MARKS}]*[${LETTERS}][${MARKS}]*\\.)`,
  'g',
);
const NEEDS_SPACING_FIX = /[،؛؟!?:.]/;
const LATIN_SEPARATOR_BETWEEN_DIGITS = /(?<=[0-9])[٫٬](?=[0-9])/g;
const PERSIAN_DIGIT_RUN = /(?<![A-Za-z]|[A-Za-z0-9][.,])[0-9٠-٩۰-۹]+(?:[.,٫٬][0-9٠-٩۰-۹]+)*(?![A-Za-z]|[.,٫٬][A-Za-z])/g;
const NON_PERSIAN_DIGIT = /[0-9٠-٩.,]/g;
const PERSIAN_DIGITS = '۰۱۲۳۴۵۶۷۸۹';

// ---- the scan table ----
const F_LETTER = 1;
const F_JOINER = 2;
const F_MARK = 4;
const F_DIGIT = 8;

const FLAGS: Uint8Array = (() => {
  const f = new Uint8Array(0x10000);
  const mark = (ranges: Ranges, bit: number) => {
    for (const [a, b] of ranges) for (let c = a; c <= b; c++) f[c] = (f[c] as number) | bit;
  };
  mark(LETTER_RANGES, F_LETTER | F_JOINER);
  for (const [a, b] of NON_JOINER_RANGES) for (let c = a; c <= b; c++) f[c] = (f[c] as number) & ~F_JOINER;
  mark(MARK_RANGES, F_MARK);
  mark([[0x30, 0x39], [0x0660, 0x0669], [0x06f0, 0x06f9]], F_DIGIT);
  return f;
})();

/** Scan-table entries: a code ≥ 0 replaces the character; these negatives are actions. */
const KEEP = -1;
const DELETE = -2;
const HEH_WITH_HAMZA = -3;
const CONTEXT = -4;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const ZWNJ_CODE = 0x200c;

const tableCache = new Map<string, Int32Array>();

function scanTable(digits: DigitStyle, keepDiacritics: boolean, keepTeh: boolean): Int32Array {
  const key = `${digits}|${keepDiacritics ? 1 : 0}|${keepTeh ? 1 : 0}`;
  const hit = tableCache.get(key);
  if (hit) return hit;
  const t = new Int32Array(0x10000).fill(KEEP);
  const set = (codes: number[], to: number) => {
    for (const c of codes) t[c] = to;
  };
  const setRanges = (ranges: Ranges, to: number) => {
    for (const [a, b] of ranges) for (let c = a; c <= b; c++) t[c] = to;
  };
  set([0x064a, 0x0649, 0x06d0, 0x06cd], 0x06cc); // ي ى ې ۍ → ی
  set([0x0643, 0x06aa, 0x063b, 0x063c], 0x06a9); // ك ڪ ػ ؼ → ک
  set([0x06d5, 0x06be, 0x06c1], 0x0647); // ە ھ ہ → ه
  set([0x0671], 0x0627); // ٱ → ا
  set([0x0640], DELETE); // tatweel
  set([0x200b, ZWNJ_CODE], ZWNJ_CODE);
  set([0x0654, 0x066b, 0x066c], CONTEXT); // need context: handled in the scan
  setRanges(DELETED_RANGES, DELETE);
  setRanges(H_SPACE_RANGES, SPACE);
  setRanges(NEWLINE_RANGES, NEWLINE);
  t[0x06c0] = keepDiacritics ? HEH_WITH_HAMZA : 0x0647;
  if (!keepTeh) t[0x0629] = 0x0647;
  if (!keepDiacritics) setRanges([[0x064b, 0x0652], [0x0670, 0x0670]], DELETE);
  if (digits === 'latin') {
    for (let d = 0; d < 10; d++) {
      t[0x06f0 + d] = 0x30 + d;
      t[0x0660 + d] = 0x30 + d;
    }
  }
  tableCache.set(key, t);
  return t;
}

const CHUNK = 4096;
const LONG_RUN = 48;
const SMALL = 64;
/** Reused code-unit buffer: scanning is synchronous and never re-entered, so one per module is enough. */
const SCRATCH = new Uint16Array(CHUNK + LONG_RUN + 8);

/**
 * The scan's output: long unchanged stretches of the source are kept as slices; short ones and replacements go
 * through a small code-unit buffer, so clean text costs one read and text full of Arabic ي/ك makes no tiny strings.
 * (A class rather than closures: no allocation of functions per call.)
 */
class ScanOutput {
  readonly parts: string[] = [];
  n = 0;
  /** s[runStart, i) is to be emitted unchanged. */
  runStart = 0;
  constructor(readonly s: string) {}

  flushBuffer(): void {
    const n = this.n;
    if (n > SMALL) this.parts.push(String.fromCharCode.apply(null, SCRATCH.subarray(0, n) as unknown as number[]));
    else if (n > 0) {
      // apply() over a typed array is slow for a handful of units; concatenation is cheaper there.
      let piece = '';
      for (let k = 0; k < n; k++) piece += String.fromCharCode(SCRATCH[k] as number);
      this.parts.push(piece);
    }
    this.n = 0;
  }

  /** Emits the unchanged run up to `end` and starts the next one after `next`. */
  takeRun(end: number, next: number): void {
    const l = end - this.runStart;
    if (l >= LONG_RUN) {
      this.flushBuffer();
      this.parts.push(this.s.slice(this.runStart, end));
    } else if (l > 0) {
      if (this.n + l > CHUNK) this.flushBuffer();
      for (let k = this.runStart; k < end; k++) SCRATCH[this.n++] = this.s.charCodeAt(k);
    }
    this.runStart = next;
  }

  put(code: number): void {
    if (this.n >= CHUNK) this.flushBuffer();
    SCRATCH[this.n++] = code;
  }

  /** Rewrites the last emitted code unit (it may sit in the run, the buffer or the last part). */
  replaceLast(i: number, code: number): void {
    if (i > this.runStart) {
      this.takeRun(i - 1, i + 1);
      this.put(code);
    } else if (this.n > 0) {
      SCRATCH[this.n - 1] = code;
      this.runStart = i + 1;
    } else {
      const last = this.parts.pop() ?? '';
      this.parts.push(last.slice(0, -1) + String.fromCharCode(code));
      this.runStart = i + 1;
    }
  }

  finish(): string {
    if (this.runStart === 0 && this.n === 0 && this.parts.length === 0) return this.s;
    this.takeRun(this.s.length, this.s.length);
    this.flushBuffer();
    return this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join('');
  }
}

/**
 * One pass: map letters and digits, delete invisible controls (and diacritics), fold whitespace (trimmed; one
 * newline or one blank line kept), keep a ZWNJ only between a joining letter and a letter, fix «ی»/«ه» + hamza,
 * and (latin digits) ٫/٬ between digits to "."/",".
 */
function scan(s: string, table: Int32Array, keepDiacritics: boolean, latinDigits: boolean): string {
  const out = new ScanOutput(s);
  const len = s.length;
  let started = false;
  let pendingSpace = false;
  let pendingNewlines = 0;
  let pendingZwnj = false;
  let afterJoiner = false;
  let prevOut = -1;

  for (let i = 0; i < len; i++) {
    const raw = s.charCodeAt(i);
    const action = table[raw] as number;
    const pending = pendingSpace || pendingNewlines > 0 || pendingZwnj;
    if (action === KEEP && !pending) {
      const flags = FLAGS[raw] as number;
      if (flags & F_LETTER) afterJoiner = (flags & F_JOINER) !== 0;
      else if (!(flags & F_MARK)) afterJoiner = false;
      prevOut = raw;
      started = true;
      continue;
    }
    if (action === DELETE) {
      out.takeRun(i, i + 1);
      continue;
    }
    const next = i + 1 < len ? (table[s.charCodeAt(i + 1)] as number) : DELETE;
    if (action === SPACE || action === NEWLINE) {
      // A lone space or newline between kept characters stays in the run.
      if (raw === action && started && !pending && next === KEEP) {
        afterJoiner = false;
        prevOut = raw;
        continue;
      }
      if (action === SPACE) {
        out.takeRun(i, i + 1);
        pendingSpace = true;
      } else {
        const crlf = raw === 0x0d && s.charCodeAt(i + 1) === 0x0a;
        out.takeRun(i, crlf ? i + 2 : i + 1);
        if (crlf) i++;
        pendingNewlines++;
      }
      pendingZwnj = false;
      continue;
    }
    const whitespacePending = pendingSpace || pendingNewlines > 0;
    if (action === ZWNJ_CODE) {
      if (!whitespacePending && !pendingZwnj && afterJoiner) {
        if (raw === ZWNJ_CODE && next === KEEP && ((FLAGS[s.charCodeAt(i + 1)] as number) & F_LETTER) !== 0) {
          afterJoiner = false;
          prevOut = raw;
          continue;
        }
        pendingZwnj = true;
      }
      out.takeRun(i, i + 1);
      continue;
    }
    // The character is emitted, maybe replaced: decide its output first.
    let code = action >= 0 ? action : raw;
    let replaced = action >= 0 && action !== raw;
    if (raw === 0x0654 && !whitespacePending) {
      // A ZWNJ before a mark is dropped anyway.
      if (prevOut === 0x06cc || (prevOut === 0x0647 && !keepDiacritics)) pendingZwnj = false;
      if (prevOut === 0x06cc) {
        // ی + hamza above = ئ: rewrite the character already emitted.
        out.replaceLast(i, 0x0626);
        prevOut = 0x0626;
        continue;
      }
      if (prevOut === 0x0647 && !keepDiacritics) {
        out.takeRun(i, i + 1);
        continue;
      }
    }
    if ((raw === 0x066b || raw === 0x066c) && latinDigits && !pending && prevOut >= 0x30 && prevOut <= 0x39) {
      // The next character that survives (deleted marks and dropped ZWNJs skipped) must be a digit.
      let j = i + 1;
      while (j < len && (table[s.charCodeAt(j)] === DELETE || table[s.charCodeAt(j)] === ZWNJ_CODE)) j++;
      if (((FLAGS[s.charCodeAt(j)] as number) & F_DIGIT) !== 0) {
        code = raw === 0x066b ? 0x2e : 0x2c;
        replaced = true;
      }
    }
    const flags = FLAGS[code] as number;
    if (pending || replaced || action === HEH_WITH_HAMZA) {
      out.takeRun(i, i + 1);
      if (whitespacePending) afterJoiner = false;
      if (whitespacePending && started) {
        if (pendingNewlines > 1) {
          out.put(NEWLINE);
          out.put(NEWLINE);
        } else out.put(pendingNewlines === 1 ? NEWLINE : SPACE);
      }
      if (pendingZwnj && flags & F_LETTER) out.put(ZWNJ_CODE);
      pendingSpace = false;
      pendingNewlines = 0;
      pendingZwnj = false;
      started = true;
      if (action === HEH_WITH_HAMZA) {
        out.put(0x0647);
        out.put(0x0654);
        afterJoiner = true;
        prevOut = 0x0654;
        continue;
      }
      if (replaced) out.put(code);
      else out.runStart = i; // the character itself starts the next unchanged run
    }
    if (flags & F_LETTER) afterJoiner = (flags & F_JOINER) !== 0;
    else if (!(flags & F_MARK)) afterJoiner = false;
    prevOut = code;
    started = true;
  }
  return out.finish();
}

// ---- exported small pieces ----

/** Persian and Arabic-Indic digits to ASCII; ٫ and ٬ between digits to "." and ",". */
export function toLatinDigits(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let d = -1;
    if (c >= 0x06f0 && c <= 0x06f9) d = c - 0x06f0;
    else if (c >= 0x0660 && c <= 0x0669) d = c - 0x0660;
    if (d < 0) continue;
    out += text.slice(last, i) + String.fromCharCode(0x30 + d);
    last = i + 1;
  }
  out += text.slice(last);
  return out.replace(LATIN_SEPARATOR_BETWEEN_DIGITS, (m) => (m === '٫' ? '.' : ','));
}

/** ASCII and Arabic-Indic digits to Persian; "." and "," inside a number to ٫ and ٬. Digits glued to Latin letters stay. */
export function toPersianDigits(text: string): string {
  return text.replace(PERSIAN_DIGIT_RUN, (run) =>
    run.replace(NON_PERSIAN_DIGIT, (c) => {
      if (c === '.') return '٫';
      if (c === ',') return '٬';
      const code = c.charCodeAt(0);
      return PERSIAN_DIGITS[code >= 0x0660 ? code - 0x0660 : code - 0x30] as string;
    }),
  );
}

/** Removes the bidi embedding, override, isolate and mark controls (a spoofing vector in names). */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

// ---- the normaliser ----

function stripMarks(s: string): string {
  return HAS_MARK.test(s) ? s.replace(MARK_RUN, '') : s;
}

/**
 * `String.prototype.replace` with a callback is slow in V8 when there are many matches (it materialises every
 * match first); an exec loop that only copies where the callback changes something is several times faster.
 * `edit` returns the replacement for the match, or null to leave it.
 */
function replaceWhere(s: string, re: RegExp, edit: (m: RegExpExecArray, s: string) => string | null): string {
  re.lastIndex = 0;
  let out = '';
  let last = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const to = edit(m, s);
    if (to !== null) {
      out += s.slice(last, m.index) + to;
      last = m.index + m[0].length;
    }
    if (m[0].length === 0) re.lastIndex++;
  }
  return last === 0 ? s : out + s.slice(last);
}

function joinGluedMi(m: RegExpExecArray): string | null {
  const before = m[1] ?? '';
  const rest = m[2] ?? '';
  return isGluedMiVerb(before.endsWith('ن') ? 'نمی' : 'می', stripMarks(rest)) ? 'می' + ZWNJ + rest : null;
}

function joinSeparatedMi(m: RegExpExecArray, s: string): string | null {
  const neg = m[1] ?? '';
  // «ماه می» is the month of May.
  if (neg === '' && m.index >= 4 && s.slice(m.index - 4, m.index) === 'ماه ') return null;
  return isVerbAfterSeparatedMi(neg + 'می', stripMarks(m[2] ?? '')) ? 'می' + ZWNJ : null;
}

function joinSuffix(m: RegExpExecArray): string {
  return (NON_JOINER.test(m[1] ?? '') ? '' : ZWNJ) + m[0].slice(1);
}

function fixHalfSpaces(s: string): string {
  if (s.includes('می')) {
    s = replaceWhere(s, GLUED_MI, joinGluedMi);
    s = replaceWhere(s, SEPARATED_MI, joinSeparatedMi);
  }
  return replaceWhere(s, SPACED_SUFFIX, joinSuffix).replace(SPACED_EI, `${ZWNJ}ای`);
}

function fixPunctuationSpacing(s: string): string {
  if (!NEEDS_SPACING_FIX.test(s)) return s;
  return s.replace(SPACE_BEFORE_PUNCT, '$1$2').replace(NO_SPACE_AFTER_PUNCT, '$1 ').replace(NO_SPACE_AFTER_DOT, '. ');
}

/**
 * Normalises Persian text: Persian letter forms, one digit style, no tatweel or bidi controls, diacritics
 * removed (unless kept), half-spaces fixed, whitespace and punctuation spacing folded, NFC. Idempotent.
 */
export function normalizePersian(text: string, opts: NormalizeOptions = {}): string {
  const digits = opts.digits ?? 'latin';
  const keepDiacritics = opts.keepDiacritics ?? false;
  let s = text;
  // Presentation forms (from PDFs, old encodings) become letters; ﻻ → لا, ﷲ → الله, ﷼ → ریال.
  if (HAS_PRESENTATION.test(s)) s = s.replace(PRESENTATION_RUN, (run) => run.normalize('NFKC'));
  s = scan(s, scanTable(digits, keepDiacritics, opts.keepTehMarbuta ?? false), keepDiacritics, digits === 'latin');
  if (digits === 'persian') s = toPersianDigits(s);
  if (opts.fixHalfSpaces ?? true) s = fixHalfSpaces(s);
  s = fixPunctuationSpacing(s);
  return s.normalize('NFC');
}

const TOKEN = /\p{N}+(?:[.,٫٬]\p{N}+)*[\p{L}\p{M}\p{N}\u200C]*|[\p{L}\p{M}][\p{L}\p{M}\p{N}\u200C]*/gu;

/** Word tokens of the normalised text (half-spaces kept inside words, punctuation dropped). */
export function tokenizePersian(text: string, opts: NormalizeOptions = {}): string[] {
  return normalizePersian(text, opts).match(TOKEN) ?? [];
}
