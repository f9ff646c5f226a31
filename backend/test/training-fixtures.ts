import type { Express } from 'express';
import request from 'supertest';
import { bearer } from './helpers.js';

/** Small deterministic PRNG (mulberry32) so generated datasets are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUBJECTS = ['این فیلم', 'این کتاب', 'غذای این رستوران', 'خدمات پشتیبانی', 'این گوشی', 'اتاق هتل', 'کیفیت صدا', 'رفتار کارکنان', 'طراحی برنامه', 'بسته‌بندی محصول', 'بازی بازیگرها', 'سرعت ارسال'];
const POSITIVE = ['عالی بود', 'خیلی خوب است', 'فوق‌العاده بود', 'را دوست داشتم', 'بی‌نظیر است', 'راضی‌کننده بود', 'ارزش خرید دارد', 'دلنشین بود', 'کاملاً درست کار می‌کند', 'را به همه پیشنهاد می‌کنم', 'بهتر از انتظارم بود', 'خوشحالم کرد'];
const NEGATIVE = ['افتضاح بود', 'خیلی بد است', 'ناامیدکننده بود', 'را دوست نداشتم', 'اصلاً خوب نیست', 'بی‌کیفیت است', 'ارزش خرید ندارد', 'خسته‌کننده بود', 'مدام خراب می‌شود', 'را به هیچ‌کس پیشنهاد نمی‌کنم', 'بدتر از انتظارم بود', 'عصبانی‌ام کرد'];
const OPENERS = ['', '', 'واقعاً', 'به نظر من', 'راستش', 'امروز', 'این بار', 'در کل', 'بعد از ۲ هفته'];

export interface SentimentRow {
  text: string;
  label: 'مثبت' | 'منفی';
}

/**
 * Persian review sentences labelled مثبت/منفی: a subject, an opener and a positive or negative phrase.
 * Some sentences use Arabic ي/ك, as real Persian text often does, so normalisation matters.
 */
export function persianSentiment(count: number, seed = 1): SentimentRow[] {
  const rnd = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const rows: SentimentRow[] = [];
  for (let i = 0; i < count; i++) {
    const positive = rnd() < 0.5;
    let text = [pick(OPENERS), pick(SUBJECTS), pick(positive ? POSITIVE : NEGATIVE)].filter(Boolean).join(' ');
    if (rnd() < 0.2) text = text.replaceAll('ی', 'ي').replaceAll('ک', 'ك');
    rows.push({ text, label: positive ? 'مثبت' : 'منفی' });
  }
  return rows;
}

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

export function toCsv(rows: readonly object[]): string {
  const cols = Object.keys(rows[0]!);
  const cell = (r: object, c: string) => quote(String((r as Record<string, unknown>)[c]));
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r, c)).join(','))].join('\n') + '\n';
}

/** Uploads a CSV through the API and returns the dataset id. */
export async function uploadCsv(app: Express, token: string, csv: string, name = 'نظرات', fileName = 'reviews.csv'): Promise<string> {
  const res = await request(app).post('/api/datasets').set(bearer(token)).attach('file', Buffer.from(csv), fileName).field('name', name);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}
