/**
 * Numbers read as Persian words: «۱۲۳۴» → «هزار و دویست و سی و چهار».
 * Decimals are read with «ممیز» and the fraction digits as a number («۳٫۱۴» → «سه ممیز چهارده»; leading zeros
 * of the fraction each «صفر»: «۳٫۰۵» → «سه ممیز صفر پنج») — how numbers are read aloud on Iranian radio and TV,
 * shorter than «سه و چهارده صدم». Scales are short-scale as used in Iran: میلیون 10^6, میلیارد 10^9,
 * تریلیون 10^12 … سکستیلیون 10^21; integers up to 10^24 − 1.
 */

import { toLatinDigits } from './normalize.js';

const ONES = ['', 'یک', 'دو', 'سه', 'چهار', 'پنج', 'شش', 'هفت', 'هشت', 'نه'];
const TEENS = ['ده', 'یازده', 'دوازده', 'سیزده', 'چهارده', 'پانزده', 'شانزده', 'هفده', 'هجده', 'نوزده'];
const TENS = ['', '', 'بیست', 'سی', 'چهل', 'پنجاه', 'شصت', 'هفتاد', 'هشتاد', 'نود'];
const HUNDREDS = ['', 'صد', 'دویست', 'سیصد', 'چهارصد', 'پانصد', 'ششصد', 'هفتصد', 'هشتصد', 'نهصد'];
const SCALES = ['', 'هزار', 'میلیون', 'میلیارد', 'تریلیون', 'کوادریلیون', 'کوینتیلیون', 'سکستیلیون'];
const DIGIT_NAMES = ['صفر', 'یک', 'دو', 'سه', 'چهار', 'پنج', 'شش', 'هفت', 'هشت', 'نه'];

/** The longest integer part read as a number; longer digit strings are read digit by digit. */
export const MAX_INTEGER_DIGITS = SCALES.length * 3;

export interface NumberWordsOptions {
  /** Ordinal form: «یکم، دوم، سوم، سی‌ام، صدم». Integers ≥ 0 only. */
  ordinal?: boolean;
}

function groupWords(n: number): string {
  const parts: string[] = [];
  const h = Math.floor(n / 100);
  const rest = n % 100;
  if (h > 0) parts.push(HUNDREDS[h] as string);
  if (rest >= 10 && rest < 20) parts.push(TEENS[rest - 10] as string);
  else {
    const t = Math.floor(rest / 10);
    const o = rest % 10;
    if (t > 0) parts.push(TENS[t] as string);
    if (o > 0) parts.push(ONES[o] as string);
  }
  return parts.join(' و ');
}

/** Words for a string of ASCII digits (no sign), at most MAX_INTEGER_DIGITS long after leading zeros. */
export function integerDigitsToWords(digits: string): string {
  const d = digits.replace(/^0+/, '');
  if (d === '') return 'صفر';
  if (d.length > MAX_INTEGER_DIGITS) throw new RangeError(`number too large to read: ${digits.length} digits`);
  const parts: string[] = [];
  const groups = Math.ceil(d.length / 3);
  for (let g = groups - 1; g >= 0; g--) {
    const end = d.length - g * 3;
    const value = Number(d.slice(Math.max(0, end - 3), end));
    if (value === 0) continue;
    const scale = SCALES[g] as string;
    // «هزار», not «یک هزار»; but «یک میلیون».
    if (g === 1 && value === 1) parts.push(scale);
    else parts.push(scale ? `${groupWords(value)} ${scale}` : groupWords(value));
  }
  return parts.join(' و ');
}

/** Digit by digit: «۰۹۱۲» → «صفر نه یک دو». */
export function digitsByName(digits: string): string {
  return Array.from(toLatinDigits(digits), (c) => DIGIT_NAMES[c.charCodeAt(0) - 48] ?? '').filter(Boolean).join(' ');
}

/** «دو» → «دوم», «سه» → «سوم», «سی» → «سی‌ام», «یک» → «یکم». */
export function ordinalOfWords(words: string): string {
  if (words.endsWith('سه')) return `${words.slice(0, -2)}سوم`;
  if (words.endsWith('ی')) return `${words}\u200Cام`;
  return `${words}م`;
}

const NUMBER_STRING = /^([-+\u2212]?)([0-9]*)(?:[.٫]([0-9]+))?$/;

function fractionWords(frac: string): string {
  const zeros = frac.match(/^0*/)?.[0].length ?? 0;
  const rest = frac.slice(zeros);
  const words = Array.from({ length: zeros }, () => 'صفر');
  if (rest) words.push(rest.length > 15 ? digitsByName(rest) : integerDigitsToWords(rest));
  return words.join(' ');
}

function numberToPlainString(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  if (Number.isInteger(n)) return BigInt(n).toString();
  const s = String(n);
  if (!s.includes('e')) return s;
  return n.toFixed(20).replace(/0+$/, '');
}

/**
 * Reads a number in Persian words. Accepts numbers, bigints and strings with ASCII, Persian or Arabic-Indic digits,
 * thousands separators (, ٬), a decimal point (. ٫) and a sign (- − +).
 * Examples: 0 → «صفر», 101 → «صد و یک», -42 → «منفی چهل و دو», "۳٫۵" → «سه ممیز پنج».
 */
export function numberToPersianWords(n: number | bigint | string, opts: NumberWordsOptions = {}): string {
  let text: string;
  if (typeof n === 'bigint') text = n.toString();
  else if (typeof n === 'number') text = numberToPlainString(n);
  else text = toLatinDigits(n.trim()).replace(/[,٬\s]/g, '');
  const m = NUMBER_STRING.exec(text);
  if (!m || (m[2] === '' && m[3] === undefined)) throw new RangeError(`not a number: ${String(n)}`);
  const sign = m[1] ?? '';
  const intDigits = m[2] || '0';
  const frac = m[3];
  if (opts.ordinal) {
    if (frac !== undefined || sign === '-' || sign === '\u2212') {
      throw new RangeError('ordinals are for non-negative integers');
    }
    return ordinalOfWords(integerDigitsToWords(intDigits));
  }
  let words = integerDigitsToWords(intDigits);
  if (frac !== undefined) words += ` ممیز ${fractionWords(frac)}`;
  const isZero = /^0*$/.test(intDigits) && (frac === undefined || /^0*$/.test(frac));
  if ((sign === '-' || sign === '\u2212') && !isZero) words = `منفی ${words}`;
  return words;
}
