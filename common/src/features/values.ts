import { normalizePersian } from '../persian/normalize.js';

/** Turning raw cell values (CSV strings, JSON numbers, null) into numbers and labels, the same way everywhere. */

const PERSIAN_ZERO = 0x06f0;
const ARABIC_INDIC_ZERO = 0x0660;

/**
 * A cell as a finite number, or null when it is missing or not a number. Accepts JSON numbers and booleans,
 * and strings with ASCII, Persian (۰–۹) or Arabic-Indic (٠–٩) digits, the Arabic decimal separator ٫,
 * the Arabic thousands separator ٬ and the Unicode minus sign. Never returns NaN or ±Infinity.
 */
export function parseNumericCell(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return toFinite(Number(value));
  if (typeof value !== 'string') return null;
  const text = (isAscii(value) ? value : mapDigits(value)).trim();
  // Number('') is 0 and Number('0x1f') is 31: accept only plain decimal notation.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return null;
  return toFinite(Number(text));
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function mapDigits(value: string): string {
  let text = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= PERSIAN_ZERO && c <= PERSIAN_ZERO + 9) text += String.fromCharCode(48 + c - PERSIAN_ZERO);
    else if (c >= ARABIC_INDIC_ZERO && c <= ARABIC_INDIC_ZERO + 9) text += String.fromCharCode(48 + c - ARABIC_INDIC_ZERO);
    else if (c === 0x066b) text += '.';
    else if (c === 0x066c) continue;
    else if (c === 0x2212) text += '-';
    else text += value[i];
  }
  return text;
}

function toFinite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** A label or category cell as a trimmed string, or null when it is missing (null, undefined, empty). */
export function cellString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (typeof value === 'object') return null;
  const text = String(value).trim();
  return text === '' ? null : text;
}

/** A category cell as its key: trimmed and Persian-normalised (so ي/ی spellings meet), null when missing. */
export function categoryKey(value: unknown): string | null {
  const text = cellString(value);
  if (text === null) return null;
  const key = normalizePersian(text).trim();
  return key === '' ? null : key;
}

/** A text cell as a string ('' when missing). */
export function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined || typeof value === 'object') return '';
  return String(value);
}

/** Code-unit order, identical in every engine (localeCompare is not). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Class order: numeric when every label is a number ("2" before "10"), else code-unit order. */
export function sortLabels(labels: Iterable<string>): string[] {
  const list = [...labels];
  const numbers = list.map((l) => parseNumericCell(l));
  if (numbers.every((n) => n !== null)) {
    return list
      .map((label, i) => ({ label, n: numbers[i] as number }))
      .sort((a, b) => a.n - b.n || compareCodeUnits(a.label, b.label))
      .map((e) => e.label);
  }
  return list.sort(compareCodeUnits);
}

/** Welford's running mean and variance: one pass, numerically stable. */
export class RunningStats {
  count = 0;
  mean = 0;
  private m2 = 0;

  add(x: number): void {
    this.count++;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
  }

  /** Population standard deviation; 1 when it is 0 or undefined, so standardising never divides by 0. */
  std(): number {
    if (this.count === 0) return 1;
    const s = Math.sqrt(this.m2 / this.count);
    return s > 1e-12 && Number.isFinite(s) ? s : 1;
  }
}
