/**
 * Locale-aware formatting through `Intl` only: Persian digits and the Solar Hijri calendar come from
 * `fa-IR` (its default calendar is `persian`), so no date library and no hand-written unit names.
 */
export type Lang = 'fa' | 'en';
export type Digits = 'persian' | 'latin';

export interface FormatLocale {
  lang: Lang;
  digits?: Digits;
}

export function localeTag({ lang, digits }: FormatLocale): string {
  if (lang === 'en') return 'en-US';
  return digits === 'latin' ? 'fa-IR-u-nu-latn' : 'fa-IR';
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.ListFormat | Intl.RelativeTimeFormat>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.ListFormat | Intl.RelativeTimeFormat>(
  key: string,
  make: () => T,
): T {
  let value = cache.get(key);
  if (!value) {
    value = make();
    cache.set(key, value);
  }
  return value as T;
}

function numberFormat(loc: FormatLocale, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const tag = localeTag(loc);
  return cached(`n|${tag}|${JSON.stringify(opts)}`, () => new Intl.NumberFormat(tag, opts));
}

export function formatNumber(value: number, loc: FormatLocale, opts: Intl.NumberFormatOptions = {}): string {
  return numberFormat(loc, { maximumFractionDigits: 2, ...opts }).format(value);
}

/** `fraction` is 0..1. */
export function formatPercent(fraction: number, loc: FormatLocale, fractionDigits = 0): string {
  const clamped = Number.isFinite(fraction) ? fraction : 0;
  return numberFormat(loc, {
    style: 'percent',
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(clamped);
}

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'] as const;

/** Decimal multiples, as `Intl` names them (kB = 1000 B) and as the Hub reports sizes. */
function scaleBytes(bytes: number): { value: number; unit: (typeof BYTE_UNITS)[number] } {
  let value = Math.max(0, bytes);
  let i = 0;
  while (value >= 1000 && i < BYTE_UNITS.length - 1) {
    value /= 1000;
    i += 1;
  }
  return { value, unit: BYTE_UNITS[i] ?? 'byte' };
}

function fractionFor(value: number): number {
  if (value >= 100) return 0;
  if (value >= 10) return 1;
  return value % 1 === 0 ? 0 : 2;
}

export function formatBytes(bytes: number, loc: FormatLocale): string {
  const { value, unit } = scaleBytes(bytes);
  return numberFormat(loc, {
    style: 'unit',
    unit,
    unitDisplay: loc.lang === 'fa' ? 'long' : 'short',
    maximumFractionDigits: unit === 'byte' ? 0 : fractionFor(value),
  }).format(value);
}

export function formatSpeed(bytesPerSecond: number, loc: FormatLocale): string {
  const { value, unit } = scaleBytes(bytesPerSecond);
  return numberFormat(loc, {
    style: 'unit',
    unit: `${unit}-per-second`,
    unitDisplay: loc.lang === 'fa' ? 'long' : 'short',
    maximumFractionDigits: unit === 'byte' ? 0 : fractionFor(value),
  }).format(value);
}

/**
 * A human duration with at most two units, largest first: «۲ ساعت و ۵ دقیقه», «۴۵ ثانیه».
 * Intl.DurationFormat is not in Node 20, so the parts are unit numbers joined by a unit list.
 */
export function formatDuration(seconds: number, loc: FormatLocale): string {
  const total = Math.max(0, Math.round(seconds));
  const parts: Array<[number, 'day' | 'hour' | 'minute' | 'second']> = [
    [Math.floor(total / 86_400), 'day'],
    [Math.floor((total % 86_400) / 3600), 'hour'],
    [Math.floor((total % 3600) / 60), 'minute'],
    [total % 60, 'second'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  const chosen = first === -1 ? [parts[3]!] : parts.slice(first, first + 2).filter(([n]) => n > 0);
  const tag = localeTag(loc);
  const display: Intl.NumberFormatOptions['unitDisplay'] = loc.lang === 'fa' ? 'long' : 'short';
  const words = chosen.map(([n, unit]) => numberFormat(loc, { style: 'unit', unit, unitDisplay: display }).format(n));
  const list = cached(`l|${tag}`, () => new Intl.ListFormat(tag, { type: 'unit', style: 'long' }));
  return list.format(words);
}

/** Seconds left, or null when it cannot be known yet (the caller shows its own word for that). */
export function formatEta(seconds: number | null | undefined, loc: FormatLocale): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return null;
  return formatDuration(seconds, loc);
}

export type DateStyle = 'date' | 'datetime' | 'time';

export function formatDate(input: string | number | Date, loc: FormatLocale, style: DateStyle = 'datetime'): string {
  const date = input instanceof Date ? input : new Date(input);
  if (Number.isNaN(date.getTime())) return '';
  const tag = localeTag(loc);
  const opts: Intl.DateTimeFormatOptions =
    style === 'date'
      ? { dateStyle: 'medium' }
      : style === 'time'
        ? { timeStyle: 'medium' }
        : { dateStyle: 'medium', timeStyle: 'short' };
  return cached(`d|${tag}|${style}`, () => new Intl.DateTimeFormat(tag, opts)).format(date);
}

export function formatRelativeTime(input: string | number | Date, loc: FormatLocale, now: number = Date.now()): string {
  const date = input instanceof Date ? input : new Date(input);
  const diff = (date.getTime() - now) / 1000;
  const abs = Math.abs(diff);
  const tag = localeTag(loc);
  const rtf = cached(`r|${tag}`, () => new Intl.RelativeTimeFormat(tag, { numeric: 'auto' }));
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(diff / 3600), 'hour');
  if (abs < 30 * 86_400) return rtf.format(Math.round(diff / 86_400), 'day');
  return formatDate(date, loc, 'date');
}

/** Accepts Persian and Arabic-Indic digits and separators typed into number fields. */
export function toLatinDigits(text: string): string {
  return text
    .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/\u066B/g, '.')
    .replace(/[\u066C,]/g, '');
}

/** Digits (and the decimal point) of what a user typed, in the user's digit style; parseLocaleNumber reads both. */
export function toDigitStyle(text: string, digits: FormatLocale['digits']): string {
  if (digits === 'latin') return toLatinDigits(text);
  return text.replace(/[0-9]/g, (d) => String.fromCharCode(0x06f0 + Number(d))).replace(/\./g, '\u066B');
}

export function parseLocaleNumber(text: string): number | null {
  const normalised = toLatinDigits(text.trim());
  if (normalised === '' || !/^-?\d*(\.\d+)?$/.test(normalised)) return null;
  const n = Number(normalised);
  return Number.isFinite(n) ? n : null;
}

export interface Formatter {
  locale: FormatLocale;
  tag: string;
  number: (value: number, opts?: Intl.NumberFormatOptions) => string;
  percent: (fraction: number, fractionDigits?: number) => string;
  bytes: (bytes: number) => string;
  speed: (bytesPerSecond: number) => string;
  duration: (seconds: number) => string;
  eta: (seconds: number | null | undefined) => string | null;
  date: (input: string | number | Date, style?: DateStyle) => string;
  relative: (input: string | number | Date, now?: number) => string;
  /** A typed number shown in the user's digit style (inputs follow the same setting as the text around them). */
  digits: (text: string) => string;
}

export function createFormatter(locale: FormatLocale): Formatter {
  return {
    locale,
    tag: localeTag(locale),
    number: (v, o) => formatNumber(v, locale, o),
    percent: (f, d) => formatPercent(f, locale, d),
    bytes: (b) => formatBytes(b, locale),
    speed: (b) => formatSpeed(b, locale),
    duration: (s) => formatDuration(s, locale),
    eta: (s) => formatEta(s, locale),
    date: (i, s) => formatDate(i, locale, s),
    relative: (i, n) => formatRelativeTime(i, locale, n),
    digits: (t) => toDigitStyle(t, locale.digits),
  };
}
