import { describe, expect, it } from 'vitest';
import {
  createFormatter,
  formatBytes,
  formatDate,
  formatDuration,
  formatEta,
  formatNumber,
  formatPercent,
  formatRelativeTime,
  formatSpeed,
  parseLocaleNumber,
  toDigitStyle,
  toLatinDigits,
} from './format';

const fa = { lang: 'fa' as const };
const faLatin = { lang: 'fa' as const, digits: 'latin' as const };
const en = { lang: 'en' as const };

describe('formatNumber', () => {
  it('writes Persian digits and separators in fa', () => {
    expect(formatNumber(1234567, fa)).toBe('۱٬۲۳۴٬۵۶۷');
    expect(formatNumber(3.25, fa)).toBe('۳٫۲۵');
  });
  it('honours the latin digits preference and English', () => {
    expect(formatNumber(1234, faLatin)).toBe('1,234');
    expect(formatNumber(1234, en)).toBe('1,234');
  });
  it('formats percentages', () => {
    expect(formatPercent(0.5, fa)).toBe('۵۰٪');
    expect(formatPercent(0.123, en, 1)).toBe('12.3%');
    expect(formatPercent(Number.NaN, en)).toBe('0%');
  });
});

describe('formatBytes and formatSpeed', () => {
  it('uses decimal units with Persian names', () => {
    expect(formatBytes(0, fa)).toBe('۰ بایت');
    expect(formatBytes(999, fa)).toBe('۹۹۹ بایت');
    expect(formatBytes(1_500_000, fa)).toBe('۱٫۵ مگابایت');
    expect(formatBytes(256_000_000, fa)).toBe('۲۵۶ مگابایت');
    expect(formatBytes(12_340_000_000, fa)).toBe('۱۲٫۳ گیگابایت');
  });
  it('uses short unit symbols in English', () => {
    expect(formatBytes(2048, en)).toBe('2.05 kB');
    expect(formatBytes(3_000_000, en)).toBe('3 MB');
  });
  it('formats transfer speeds', () => {
    expect(formatSpeed(2_500_000, fa)).toBe('۲٫۵ مگابایت در ثانیه');
    expect(formatSpeed(512, en)).toMatch(/^512 (byte|B)/);
  });
  it('never shows negative sizes', () => {
    expect(formatBytes(-5, en)).toBe('0 byte');
  });
});

describe('formatDuration and formatEta', () => {
  it('shows at most two units, largest first', () => {
    expect(formatDuration(45, fa)).toBe('۴۵ ثانیه');
    expect(formatDuration(125, fa)).toBe('۲ دقیقه و ۵ ثانیه');
    expect(formatDuration(3600 * 2 + 60 * 5 + 7, fa)).toBe('۲ ساعت و ۵ دقیقه');
    expect(formatDuration(3600, fa)).toBe('۱ ساعت');
    expect(formatDuration(0, fa)).toBe('۰ ثانیه');
  });
  it('works in English', () => {
    expect(formatDuration(125, en)).toBe('2 min, 5 sec');
  });
  it('returns null for an unknown ETA', () => {
    expect(formatEta(null, fa)).toBeNull();
    expect(formatEta(Number.POSITIVE_INFINITY, fa)).toBeNull();
    expect(formatEta(-1, fa)).toBeNull();
    expect(formatEta(90, fa)).toBe('۱ دقیقه و ۳۰ ثانیه');
  });
});

describe('formatDate', () => {
  const nowruz = new Date('2025-03-21T12:00:00Z');
  it('uses the Solar Hijri calendar and Persian digits in fa', () => {
    const text = formatDate(nowruz, fa, 'date');
    expect(text).toContain('۱۴۰۴');
    expect(text).toContain('فروردین');
  });
  it('uses the Gregorian calendar in English', () => {
    expect(formatDate(nowruz, en, 'date')).toContain('2025');
  });
  it('returns an empty string for an invalid date', () => {
    expect(formatDate('not a date', fa)).toBe('');
  });
  it('formats relative times', () => {
    const now = Date.parse('2025-03-21T12:00:00Z');
    expect(formatRelativeTime(now - 3 * 60_000, fa, now)).toBe('۳ دقیقه پیش');
    expect(formatRelativeTime(now - 2 * 3600_000, en, now)).toBe('2 hours ago');
  });
});

describe('digit input', () => {
  it('turns Persian and Arabic-Indic digits into ASCII', () => {
    expect(toLatinDigits('۱۲۳٫۵')).toBe('123.5');
    expect(toLatinDigits('٤٥')).toBe('45');
    expect(toLatinDigits('۱٬۰۰۰')).toBe('1000');
  });
  it('parses numbers typed in any digits', () => {
    expect(parseLocaleNumber('۰٫۰۰۱')).toBe(0.001);
    expect(parseLocaleNumber(' 32 ')).toBe(32);
    expect(parseLocaleNumber('abc')).toBeNull();
    expect(parseLocaleNumber('')).toBeNull();
  });
});

describe('createFormatter', () => {
  it('binds the locale', () => {
    const f = createFormatter(fa);
    expect(f.tag).toBe('fa-IR');
    expect(f.number(42)).toBe('۴۲');
    expect(f.eta(null)).toBeNull();
  });
});

describe('toDigitStyle', () => {
  it('shows typed numbers in Persian digits and reads them back', () => {
    expect(toDigitStyle('0.04', 'persian')).toBe('۰٫۰۴');
    expect(toDigitStyle('۱۲۸', 'latin')).toBe('128');
    expect(parseLocaleNumber(toDigitStyle('0.04', 'persian'))).toBe(0.04);
    expect(parseLocaleNumber(toDigitStyle('256', 'persian'))).toBe(256);
  });
});
