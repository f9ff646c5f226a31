/**
 * The text front end for Persian speech synthesis: normalised text with numbers, dates, times, currencies,
 * units, percentages, abbreviations and symbols written out as Persian words, Latin runs kept or dropped, and the
 * result split into sentences a voice can take one at a time.
 *
 * Readings chosen (documented so voices and tests agree):
 * - decimals with «ممیز» (see number-words.ts); "3/5" written with Persian or Arabic-Indic digits is the Iranian
 *   decimal slash («سه ممیز پنج»), with ASCII digits a ratio («سه بر پنج»);
 * - dates Y/M/D (or D/M/Y, or M/D/Y when only that is valid): day as ordinal, month by name, year as a number — 1300–1499 Solar Hijri months
 *   («۱۴۰۳/۰۵/۱۲» → «دوازدهم مرداد هزار و چهارصد و سه»), 1700–2199 Gregorian months;
 * - times H:MM[:SS] → «ده و سی دقیقه»; ranges "10-12" → «ده تا دوازده»;
 * - digit strings with a leading zero (phone numbers, codes) or longer than 24 digits are read digit by digit.
 */

import { normalizePersian, toLatinDigits } from './normalize.js';
import {
  MAX_INTEGER_DIGITS,
  digitsByName,
  integerDigitsToWords,
  numberToPersianWords,
  ordinalOfWords,
} from './number-words.js';

export { numberToPersianWords, ordinalOfWords, digitsByName } from './number-words.js';
export type { NumberWordsOptions } from './number-words.js';

export interface SpeechTextOptions {
  /** Latin-script words: kept for the voice to spell/read ('keep', default) or removed ('drop'). */
  latin?: 'keep' | 'drop';
  /** Keep harakat the writer gave (they help the voice). Default true. */
  keepDiacritics?: boolean;
  /** Sentences longer than this are split at a comma (or a space) before it. Default 300. */
  maxSentenceChars?: number;
}

export interface PreparedSpeech {
  /** All sentences joined by a space. */
  text: string;
  sentences: string[];
}

const D = '[0-9۰-۹٠-٩]';
const L = '\\u0621-\\u063A\\u0641-\\u064A\\u0671-\\u06D3\\u06FA-\\u06FC';
const NOT_WORD_BEFORE = `(?<![${L}A-Za-z0-9۰-۹٠-٩])`;
const NOT_WORD_AFTER = `(?![${L}A-Za-z0-9۰-۹٠-٩])`;

// ---- abbreviations ----
/** Dotted abbreviations: letters separated by dots (spaces after the dots allowed, last dot optional). */
const DOTTED: ReadonlyArray<readonly [string, string]> = [
  ['ج.ا.ا', 'جمهوری اسلامی ایران'],
  ['ق.م', 'قبل از میلاد'],
  ['ه.ش', 'هجری شمسی'],
  ['ه.ق', 'هجری قمری'],
  ['ق.ظ', 'قبل از ظهر'],
  ['ب.ظ', 'بعد از ظهر'],
  ['ر.ک', 'رجوع کنید به'],
];
const DOTTED_RULES = DOTTED.map(([abbr, full]) => {
  const body = abbr
    .split('.')
    .map((letter) => `${letter}[\\u064B-\\u0652]*`)
    .join('\\s?\\.\\s?');
  return [new RegExp(`${NOT_WORD_BEFORE}${body}\\.?${NOT_WORD_AFTER}`, 'g'), full] as const;
});
/** Honorifics in parentheses after names. */
const HONORIFICS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\(\s?ص\s?\)/g, ' صلی‌الله علیه و آله '],
  [/\(\s?ع\s?\)/g, ' علیه‌السلام '],
  [/\(\s?س\s?\)/g, ' سلام‌الله علیها '],
  [/\(\s?ره\s?\)/g, ' رحمه‌الله علیه '],
  [/\(\s?عج\s?\)/g, ' عجل‌الله تعالی فرجه '],
];
/** «ص ۱۲» (page), «صص ۱۰-۱۲» (pages), «ج ۲» (volume): only right before a number; a lone «ص» is left alone. */
const BEFORE_NUMBER = new RegExp(`${NOT_WORD_BEFORE}(صص|ص|ج)\\.?\\s?(?=${D})`, 'g');
const BEFORE_NUMBER_WORDS: Record<string, string> = { ص: 'صفحه', صص: 'صفحات', ج: 'جلد' };
/** «#۵» → «شماره ۵». */
const NUMBER_SIGN = new RegExp(`#(?=\\s?${D})`, 'g');
/** A four-digit year followed by «م» / «ش» / «ق» (with or without a dot). */
const YEAR_ERA = new RegExp(`(${D}{4})\\s?(م|ش|ق)\\.?${NOT_WORD_AFTER}`, 'g');
const ERA_WORDS: Record<string, string> = { م: 'میلادی', ش: 'شمسی', ق: 'قمری' };

// ---- dates and times ----
const SOLAR_MONTHS = ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور', 'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند'];
const GREGORIAN_MONTHS = ['ژانویه', 'فوریه', 'مارس', 'آوریل', 'مه', 'ژوئن', 'ژوئیه', 'اوت', 'سپتامبر', 'اکتبر', 'نوامبر', 'دسامبر'];
const DATE_YMD = new RegExp(`${NOT_WORD_BEFORE}(${D}{4})([/\\-.])(${D}{1,2})\\2(${D}{1,2})${NOT_WORD_AFTER}`, 'g');
const DATE_DMY = new RegExp(`${NOT_WORD_BEFORE}(${D}{1,2})([/\\-.])(${D}{1,2})\\2(${D}{4})${NOT_WORD_AFTER}`, 'g');
const TIME = new RegExp(`${NOT_WORD_BEFORE}(${D}{1,2}):(${D}{2})(?::(${D}{2}))?${NOT_WORD_AFTER}`, 'g');

// ---- money, percent, units ----
const NUM = `${D}+(?:[,٬.٫]${D}+)*`;
const SIGNED = `[-\\u2212]?${NUM}`;
const CURRENCY_SYMBOLS: Record<string, string> = { $: 'دلار', '€': 'یورو', '£': 'پوند', '¥': 'ین' };
const CURRENCY_BEFORE = new RegExp(`([$€£¥])\\s?(${SIGNED})`, 'g');
const CURRENCY_AFTER = new RegExp(`(${SIGNED})\\s?([$€£¥])`, 'g');
const PERCENT_AFTER = new RegExp(`(${SIGNED})\\s?[٪%]`, 'g');
const PERCENT_BEFORE = new RegExp(`[٪%]\\s?(${NUM})`, 'g');
const UNITS: Record<string, string> = {
  'km/h': 'کیلومتر بر ساعت', 'm/s': 'متر بر ثانیه', km: 'کیلومتر', cm: 'سانتی‌متر', mm: 'میلی‌متر', m: 'متر',
  'km²': 'کیلومتر مربع', 'm²': 'متر مربع', 'm³': 'متر مکعب', km2: 'کیلومتر مربع', m2: 'متر مربع', m3: 'متر مکعب',
  kg: 'کیلوگرم', g: 'گرم', mg: 'میلی‌گرم', l: 'لیتر', L: 'لیتر', ml: 'میلی‌لیتر', mL: 'میلی‌لیتر',
  '°C': 'درجه سانتی‌گراد', '°F': 'درجه فارنهایت', '°': 'درجه',
  kWh: 'کیلووات‌ساعت', kW: 'کیلووات', MW: 'مگاوات', GW: 'گیگاوات', W: 'وات', V: 'ولت',
  Hz: 'هرتز', kHz: 'کیلوهرتز', MHz: 'مگاهرتز', GHz: 'گیگاهرتز',
  KB: 'کیلوبایت', kB: 'کیلوبایت', MB: 'مگابایت', GB: 'گیگابایت', TB: 'ترابایت',
  ms: 'میلی‌ثانیه', s: 'ثانیه', min: 'دقیقه', h: 'ساعت',
  USD: 'دلار', EUR: 'یورو', IRR: 'ریال', IRT: 'تومان',
};
const UNIT_KEYS = Object.keys(UNITS)
  .sort((a, b) => b.length - a.length)
  .map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
  .join('|');
const NUMBER_UNIT = new RegExp(`(${SIGNED})\\s?(${UNIT_KEYS})(?![A-Za-z0-9²³])`, 'g');

// ---- numbers ----
const RANGE = new RegExp(`${NOT_WORD_BEFORE}(${NUM})(?:[-–—]|\\s[–—]\\s)(${NUM})${NOT_WORD_AFTER}`, 'g');
const SLASH_NUMBER = new RegExp(`${NOT_WORD_BEFORE}(${D}+)/(${D}+)${NOT_WORD_AFTER}`, 'g');
const ORDINAL_NUMBER = new RegExp(`(${D}+)(?:\\s?\\u200C?ام|م)(ین)?(?![${L}])`, 'g');
const NUMBER = new RegExp(
  `(?<![${L}A-Za-z0-9۰-۹٠-٩])([-+\\u2212]?)(${D}{1,3}(?:[,٬]${D}{3})+|${D}{1,3}(?:\\.${D}{3}){2,}|${D}+)(?:[.٫](${D}+))?`,
  'g',
);
const PERSIAN_DIGIT = /[۰-۹٠-٩]/;
/** Three or more dot-separated parts that are not thousands groups: a version, read «دو نقطه پنج نقطه یک». */
const VERSION = new RegExp(`${NOT_WORD_BEFORE}${D}+(?:\\.${D}+){2,}${NOT_WORD_AFTER}`, 'g');
const RATIO = new RegExp(`${NOT_WORD_BEFORE}(${D}+):(${D}+)${NOT_WORD_AFTER}`, 'g');
const LEADING_DECIMAL = new RegExp(`(?<!\\S)([.٫])(?=${D})`, 'g');
const LATIN_PUNCT: Record<string, string> = { ',': '،', ';': '؛', '?': '؟' };
const LATIN_PUNCT_RE = /[,;?]/g;

// ---- symbols, Latin ----
/** Arithmetic between two numbers (before the numbers become words). */
const ARITHMETIC = new RegExp(`(?<=${D})\\s*([+×*÷=<>]|\\s[-\\u2212]\\s)\\s*(?=[-\\u2212]?${D})`, 'g');
const ARITHMETIC_WORDS: Record<string, string> = {
  '+': 'به‌علاوه', '×': 'ضرب در', '*': 'ضرب در', '÷': 'تقسیم بر', '=': 'مساوی', '<': 'کوچک‌تر از', '>': 'بزرگ‌تر از',
  '-': 'منهای', '\u2212': 'منهای',
};
const SYMBOLS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\s*&\s*/g, ' و '],
  [/\s*\+\s*/g, ' به‌علاوه '],
  [/\s*=\s*/g, ' مساوی '],
  [/[٪%]/g, ' درصد '],
  [/°/g, ' درجه '],
  [/(^|\s)[-–—\u2212]+(?=\s|$)/g, '$1، '],
  [/[«»"“”„'‘’()[\]{}<>|\\/_~^`*×÷#@•·]/g, ' '],
  [/[-–—\u2212]/g, ' '],
];
const LEADING_COMMA = /(^|\n)[\s،,؛:]+/g;
const DOUBLE_COMMA = /[،,]\s*(?=[،,.!?؟؛:]|$)/gm;
/** A URL, or a Latin word with its inner punctuation (Node.js, GPT-4, AT&T, C++, a@b.com). × and ÷ are not letters. */
const LATIN_TOKEN =
  /(?:https?:\/\/|www\.)[^\s«»"]+|[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F][A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F0-9]*(?:[-'’._+#&@/]+[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F0-9]+)*[+#]*/g;

// ---- sentences ----
/** After . ! ? ؟ ؛ … — but not after a lone letter and a dot («م. رضایی»). */
const SENTENCE_END = /(?<=[.!?؟؛…])(?<!(?:^|\s)[^\s.]\.)\s+/;
const SOFT_BREAKS = '،,؛;:';
const HAS_SPEAKABLE = /[\p{L}\p{N}]/u;

function numberWords(sign: string, intPart: string, frac: string | undefined, groupedWithDots = false): string {
  const digits = toLatinDigits(intPart).replace(groupedWithDots ? /\./g : /[,٬]/g, '');
  let value: string;
  if ((digits.length > 1 && digits.startsWith('0') && frac === undefined) || digits.length > MAX_INTEGER_DIGITS) {
    value = digitsByName(digits);
  } else {
    value = numberToPersianWords(frac !== undefined ? `${digits}.${toLatinDigits(frac)}` : digits);
  }
  if (sign === '-' || sign === '\u2212') return value === 'صفر' ? value : `منفی ${value}`;
  if (sign === '+') return `مثبت ${value}`;
  return value;
}

const NUM_PARTS = /^([-+\u2212]?)(.*?)(?:[.٫]([0-9۰-۹٠-٩]+))?$/;
const DOT_GROUPED = /^[0-9]{1,3}(?:\.[0-9]{3}){2,}$/;

/** Any number matched by SIGNED (sign and separators included) to words. */
function numWords(num: string): string {
  const sign = /^[-+\u2212]/.test(num) ? (num[0] as string) : '';
  const body = sign ? num.slice(1) : num;
  if (DOT_GROUPED.test(toLatinDigits(body))) return numberWords(sign, body, undefined, true);
  const m = NUM_PARTS.exec(body);
  return numberWords(sign, m?.[2] ?? body, m?.[3]);
}

function readDate(y: string, m: string, d: string): string | null {
  const year = Number(toLatinDigits(y));
  const month = Number(toLatinDigits(m));
  const day = Number(toLatinDigits(d));
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  let months: string[];
  if (year >= 1300 && year <= 1499) months = SOLAR_MONTHS;
  else if (year >= 1700 && year <= 2199) months = GREGORIAN_MONTHS;
  else return null;
  return ` ${ordinalOfWords(integerDigitsToWords(String(day)))} ${months[month - 1]} ${integerDigitsToWords(String(year))} `;
}

function expandNonLatin(s: string): string {
  for (const [re, full] of DOTTED_RULES) s = s.replace(re, full);
  for (const [re, full] of HONORIFICS) s = s.replace(re, full);
  s = s.replace(BEFORE_NUMBER, (_m, abbr: string) => `${BEFORE_NUMBER_WORDS[abbr] ?? abbr} `);
  s = s.replace(NUMBER_SIGN, ' شماره ');
  s = s.replace(YEAR_ERA, (_m, y: string, era: string) => `${y} ${ERA_WORDS[era] ?? era}`);

  s = s.replace(DATE_YMD, (m, y: string, _sep: string, mo: string, d: string) => readDate(y, mo, d) ?? m);
  // D/M/Y, or the American M/D/Y when the first part cannot be a month.
  s = s.replace(
    DATE_DMY,
    (m, d: string, _sep: string, mo: string, y: string) => readDate(y, mo, d) ?? readDate(y, d, mo) ?? m,
  );
  s = s.replace(TIME, (m, h: string, min: string, sec: string | undefined) => {
    const hh = Number(toLatinDigits(h));
    const mm = Number(toLatinDigits(min));
    const ss = sec === undefined ? 0 : Number(toLatinDigits(sec));
    if (hh > 24 || mm > 59 || ss > 59) return ` ${numWords(h)} به ${numWords(min)} `;
    let out = integerDigitsToWords(String(hh));
    if (mm > 0 || ss > 0) out += ` و ${integerDigitsToWords(String(mm))} دقیقه`;
    if (ss > 0) out += ` و ${integerDigitsToWords(String(ss))} ثانیه`;
    return ` ${out} `;
  });

  s = s.replace(CURRENCY_BEFORE, (_m, sym: string, num: string) => ` ${numWords(num)} ${CURRENCY_SYMBOLS[sym] ?? ''} `);
  s = s.replace(CURRENCY_AFTER, (_m, num: string, sym: string) => ` ${numWords(num)} ${CURRENCY_SYMBOLS[sym] ?? ''} `);
  s = s.replace(PERCENT_AFTER, (_m, num: string) => ` ${numWords(num)} درصد `);
  s = s.replace(PERCENT_BEFORE, (_m, num: string) => ` ${numWords(num)} درصد `);
  s = s.replace(NUMBER_UNIT, (_m, num: string, unit: string) => ` ${numWords(num)} ${UNITS[unit] ?? unit} `);
  return s;
}

function expandNumbers(s: string): string {
  s = s.replace(ARITHMETIC, (_m, op: string) => ` ${ARITHMETIC_WORDS[op.trim()] ?? op} `);
  s = s.replace(VERSION, (m) =>
    DOT_GROUPED.test(toLatinDigits(m)) ? m : ` ${m.split('.').map((part) => numWords(part)).join(' نقطه ')} `,
  );
  s = s.replace(RATIO, (_m, a: string, b: string) => ` ${numWords(a)} به ${numWords(b)} `);
  s = s.replace(LEADING_DECIMAL, '0$1');
  s = s.replace(RANGE, (_m, a: string, b: string) => ` ${numWords(a)} تا ${numWords(b)} `);
  s = s.replace(SLASH_NUMBER, (_m, a: string, b: string) =>
    PERSIAN_DIGIT.test(a + b) ? ` ${numberWords('', a, b)} ` : ` ${numWords(a)} بر ${numWords(b)} `,
  );
  s = s.replace(ORDINAL_NUMBER, (_m, num: string, min: string | undefined) => {
    const digits = toLatinDigits(num);
    if (digits.length > MAX_INTEGER_DIGITS) return ` ${digitsByName(digits)} `;
    return ` ${ordinalOfWords(integerDigitsToWords(digits))}${min ? 'ین' : ''} `;
  });
  return s.replace(NUMBER, (_m, sign: string, int: string, frac: string | undefined) =>
    ` ${numberWords(sign, int, frac, DOT_GROUPED.test(toLatinDigits(int)))} `,
  );
}

function expandSymbols(s: string): string {
  for (const [re, to] of SYMBOLS) s = s.replace(re, to);
  return s.replace(LATIN_PUNCT_RE, (c) => LATIN_PUNCT[c] ?? c);
}

/** Splits off Latin tokens so the Persian rules never touch them; keeps or drops them. */
function mapOutsideLatin(s: string, latin: 'keep' | 'drop', fn: (part: string) => string): string {
  let out = '';
  let last = 0;
  LATIN_TOKEN.lastIndex = 0;
  for (let m = LATIN_TOKEN.exec(s); m !== null; m = LATIN_TOKEN.exec(s)) {
    out += fn(s.slice(last, m.index));
    out += latin === 'keep' ? m[0] : ' ';
    last = m.index + m[0].length;
  }
  return out + fn(s.slice(last));
}

/** Splits at the last comma (else space) at or before `max`, repeatedly; a comma too early is not used. */
function chunk(sentence: string, max: number): string[] {
  const out: string[] = [];
  let rest = sentence;
  while (rest.length > max) {
    let cut = -1;
    for (let i = Math.min(max, rest.length) - 1; i >= Math.floor(max / 3); i--) {
      if (SOFT_BREAKS.includes(rest[i] as string)) {
        cut = i + 1;
        break;
      }
    }
    if (cut < 0) {
      const space = rest.lastIndexOf(' ', max);
      cut = space > 0 ? space : max;
    }
    out.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) out.push(rest);
  return out;
}

/** Splits text into sentences at . ! ? ؟ ؛ … and line breaks; over-long ones at commas near the limit. */
export function splitSentences(text: string, maxSentenceChars = 300): string[] {
  const max = Math.max(20, Math.floor(maxSentenceChars));
  const out: string[] = [];
  for (const line of text.split(/\n+/)) {
    for (const sentence of line.split(SENTENCE_END)) {
      const t = sentence.trim();
      if (!t || !HAS_SPEAKABLE.test(t)) continue;
      for (const piece of chunk(t, max)) if (HAS_SPEAKABLE.test(piece)) out.push(piece);
    }
  }
  return out;
}

/**
 * Prepares Persian text for a voice: normalised (diacritics kept by default), numbers, dates, times, money,
 * percentages, units, abbreviations and symbols in words, Latin kept or dropped, split into sentences.
 */
export function prepareSpeechText(text: string, opts: SpeechTextOptions = {}): PreparedSpeech {
  const keepDiacritics = opts.keepDiacritics ?? true;
  const latin = opts.latin ?? 'keep';
  let s = normalizePersian(text, { digits: 'keep', keepDiacritics });
  s = expandNonLatin(s);
  s = mapOutsideLatin(s, latin, (part) => expandSymbols(expandNumbers(part)));
  s = normalizePersian(s, { digits: 'keep', keepDiacritics });
  s = s.replace(LEADING_COMMA, '$1').replace(DOUBLE_COMMA, '');
  const sentences = splitSentences(s, opts.maxSentenceChars ?? 300);
  return { text: sentences.join(' '), sentences };
}
