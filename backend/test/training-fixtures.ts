import type { Express } from 'express';
import request from 'supertest';
import { seededRandom } from '@sokhan/common';
import { bearer } from './helpers.js';


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
  const rnd = seededRandom(seed);
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

/** A text-classification config for the generated sentiment data, small enough to train in a second or two. */
export function sentimentConfig(datasetId: string, over: Record<string, unknown> = {}) {
  return {
    datasetId,
    task: 'text-classification',
    textColumn: 'text',
    labelColumn: 'label',
    layers: [
      { type: 'dense', units: 32, activation: 'relu' },
      { type: 'dropout', rate: 0.2 },
    ],
    optimizer: 'adam',
    learningRate: 0.01,
    epochs: 4,
    batchSize: 16,
    validationSplit: 0.25,
    seed: 42,
    textFeatures: { buckets: 1024 },
    ...over,
  };
}

/** Polls a job until its status is one of `statuses` (or `until` holds), returning its detail. */
export async function waitForJob(app: Express, token: string, id: string, statuses: string[], opts: { timeoutMs?: number; until?: (job: any) => boolean } = {}): Promise<any> {
  const deadline = Date.now() + (opts.timeoutMs ?? 45_000);
  for (;;) {
    const res = await request(app).get(`/api/training/${id}`).set(bearer(token));
    if (statuses.includes(res.body.status) && (!opts.until || opts.until(res.body))) return res.body;
    if (Date.now() > deadline) throw new Error(`job ${id} is ${res.body.status}; waited for ${statuses.join('/')}: ${JSON.stringify(res.body.error)}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}
