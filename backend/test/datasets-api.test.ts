import fs from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';
import { persianSentiment, toCsv, uploadCsv } from './training-fixtures.js';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await buildTestApp({ DATASET_MAX_MB: '1' });
  token = (await registerUser(t.app)).token;
});
afterAll(() => t.close());

const upload = (file: Buffer | string, fileName: string, fields: Record<string, string> = { name: 'داده' }) => {
  let req = request(t.app).post('/api/datasets').set(bearer(token)).attach('file', Buffer.from(file), fileName);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  return req;
};

/** Every folder under datasets/ (each upload gets one; failures must leave none). */
const datasetDirs = async () => (await fs.readdir(t.config.paths.datasets).catch(() => [] as string[])).sort();

describe('upload and metadata', () => {
  it('stores a Persian CSV under a generated name and describes it', async () => {
    const rows = persianSentiment(300, 7);
    const res = await upload(toCsv(rows), '../../etc/نظرات.csv', { name: 'نظرات فیلم', description: 'جمله‌های برچسب‌خورده' });
    expect(res.status).toBe(201);
    const d = res.body;
    expect(d).toMatchObject({ name: 'نظرات فیلم', type: 'text-classification', typeGiven: false, format: 'csv', originalName: 'نظرات.csv', recordCount: 300, textColumn: 'text', labelColumn: 'label', inUse: false });
    expect(d.columns.map((c: any) => [c.name, c.type])).toEqual([
      ['text', 'text'],
      ['label', 'category'],
    ]);
    const positives = rows.filter((r) => r.label === 'مثبت').length;
    expect(d.classCounts).toEqual(expect.arrayContaining([{ value: 'مثبت', count: positives }, { value: 'منفی', count: 300 - positives }]));
    expect(d.preview).toHaveLength(20);
    expect(d.preview[0]).toEqual(rows[0]);
    const stored = await fs.readdir(path.join(t.config.paths.datasets, d.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatch(/^[0-9a-f-]{36}\.csv$/);
    expect(d.sizeBytes).toBe(Buffer.byteLength(toCsv(rows)));
  });

  it('keeps every row of a file without a header row (SentiPers-style), and lets the uploader say otherwise', async () => {
    const sentences = ['این فیلم واقعاً عالی بود', 'بد نبود ولی می‌شد بهتر باشد', 'افتضاح بود', 'خوب بود', 'معمولی'];
    const csv = sentences.map((s, i) => `"${s}",${[2, 0, -2, 1, 0][i]}`).join('\n') + '\n';
    const auto = await upload(csv, 'sentipers-like.csv', { name: 'بی‌سرستون' });
    expect(auto.status).toBe(201);
    expect(auto.body).toMatchObject({ recordCount: 5, headerRow: { present: false, decidedBy: 'detected', reason: 'numbers-in-first-row' }, textColumn: 'column_1', labelColumn: 'column_2' });
    expect(auto.body.columns.map((c: any) => c.name)).toEqual(['column_1', 'column_2']);
    expect(auto.body.preview[0]).toEqual({ column_1: sentences[0], column_2: '2' });
    const rows = await request(t.app).get(`/api/datasets/${auto.body.id}/rows?limit=10`).set(bearer(token));
    expect(rows.body.rows.map((r: any) => r.column_1)).toEqual(sentences);
    // Told that the first row is a header, the server reads it so.
    const told = await upload(csv, 'sentipers-like.csv', { name: 'با سرستون', header: 'present' });
    expect(told.body).toMatchObject({ recordCount: 4, headerRow: { present: true, decidedBy: 'user', reason: null } });
    expect(told.body.columns.map((c: any) => c.name)).toEqual([sentences[0], '2']);
    // A usual header is found as one.
    const named = await upload('متن,برچسب\nخوب,مثبت\nبد,منفی\n', 'named.csv', { name: 'با نام' });
    expect(named.body).toMatchObject({ recordCount: 2, headerRow: { present: true, decidedBy: 'detected', reason: 'names-like-a-header' } });
  });

  it('reads an Excel workbook (even one renamed .csv): the first sheet or the one named, as its CSV', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    const first = wb.addWorksheet('نظرات');
    first.addRow(['متن', 'برچسب', 'تاریخ']);
    first.addRow(['فیلم خوبی بود، ممنون', 2, new Date('2024-05-01T00:00:00Z')]);
    first.addRow([{ richText: [{ text: 'اصلاً ' }, { text: 'خوب نبود' }] }, -2, null]);
    first.addRow([]);
    first.addRow([{ formula: '"قابل "&"قبول"', result: 'قابل قبول' }, 0, new Date('2024-05-03T00:00:00Z')]);
    const second = wb.addWorksheet('Sheet2');
    second.addRow(['a', 'b']);
    second.addRow(['x', 1]);
    second.addRow(['y', 2]);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await upload(bytes, 'نظرات.csv', { name: 'از اکسل' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ format: 'csv', recordCount: 3, workbook: { sheet: 'نظرات', sheets: ['نظرات', 'Sheet2'] }, headerRow: { present: true } });
    expect(res.body.preview).toEqual([
      { متن: 'فیلم خوبی بود، ممنون', برچسب: '2', تاریخ: '2024-05-01' },
      { متن: 'اصلاً خوب نبود', برچسب: '-2', تاریخ: null },
      { متن: 'قابل قبول', برچسب: '0', تاریخ: '2024-05-03' },
    ]);
    const named = await upload(bytes, 'book.xlsx', { name: 'برگهٔ دوم', sheet: '2' });
    expect(named.body).toMatchObject({ recordCount: 2, workbook: { sheet: 'Sheet2' } });
    const before = await datasetDirs();
    const missing = await upload(bytes, 'book.xlsx', { name: 'نیست', sheet: 'Sheet9' });
    expect([missing.status, missing.body.error.code]).toEqual([422, 'INVALID_DATASET']);
    expect(missing.body.error.details).toEqual([expect.objectContaining({ line: 0, reason: 'no-sheet', sheets: ['نظرات', 'Sheet2'] })]);
    // Zip bytes that only look like a workbook are refused as such, and nothing is kept.
    const fake = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0]), Buffer.from('[Content_Types].xml xl/workbook.xml'), Buffer.alloc(200)]);
    const broken = await upload(fake, 'نظرات.csv');
    expect(broken.body.error.details).toEqual([expect.objectContaining({ reason: 'invalid-workbook' })]);
    expect(await datasetDirs()).toEqual(before);
  });

  it('names a binary file that is not a workbook for what it is, and stores nothing', async () => {
    const before = await datasetDirs();
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
    const res = await upload(xls, 'نظرات.csv');
    expect([res.status, res.body.error.code]).toEqual([422, 'INVALID_DATASET']);
    expect(res.body.error.details).toEqual([expect.objectContaining({ line: 0, reason: 'not-text', kind: 'xls' })]);
    expect(await datasetDirs()).toEqual(before);
  });

  it('infers tabular types, honours a given type and label column, reads TSV and JSONL', async () => {
    const tsv = 'سن\tدرآمد\tشهر\tخرید\n' + Array.from({ length: 60 }, (_, i) => `${20 + (i % 30)}\t${1000 + i * 37}\t${['تهران', 'شیراز', 'تبریز'][i % 3]}\t${i % 2 ? 'بله' : 'خیر'}`).join('\n');
    const a = await upload(tsv, 'customers.tsv');
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ format: 'tsv', type: 'tabular-classification', labelColumn: 'خرید', textColumn: null });
    expect(a.body.columns.find((c: any) => c.name === 'سن')).toMatchObject({ type: 'number', min: 20, max: 49 });
    expect(a.body.columns.find((c: any) => c.name === 'شهر').topValues).toHaveLength(3);

    const jsonl = Array.from({ length: 80 }, (_, i) => JSON.stringify({ area: 50 + i, rooms: 1 + (i % 4), price: 1000 + i * 13.5 })).join('\n');
    const b = await upload(jsonl, 'houses.jsonl', { name: 'خانه‌ها', labelColumn: 'price' });
    expect(b.status).toBe(201);
    expect(b.body).toMatchObject({ format: 'jsonl', type: 'tabular-regression', labelColumn: 'price', classCounts: null });

    const c = await upload('a,b\n1,x\n2,y\n3,x\n', 'data.txt', { name: 'typed', type: 'tabular-classification', format: 'csv' });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ type: 'tabular-classification', typeGiven: true, format: 'csv' });
  });

  it('pages rows from anywhere in a file of thousands of rows', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => ({ n: i, text: `ردیف شماره ${i}`, label: i % 3 === 0 ? 'الف' : 'ب' }));
    const id = await uploadCsv(t.app, token, toCsv(rows), 'بزرگ', 'big.csv');
    const page = await request(t.app).get(`/api/datasets/${id}/rows?offset=2100&limit=5`).set(bearer(token));
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ columns: ['n', 'text', 'label'], offset: 2100, limit: 5, total: 2500 });
    expect(page.body.rows.map((r: any) => r.n)).toEqual(['2100', '2101', '2102', '2103', '2104']);
    const tail = await request(t.app).get(`/api/datasets/${id}/rows?offset=2498&limit=50`).set(bearer(token));
    expect(tail.body.rows.map((r: any) => r.text)).toEqual(['ردیف شماره 2498', 'ردیف شماره 2499']);
    const past = await request(t.app).get(`/api/datasets/${id}/rows?offset=9000`).set(bearer(token));
    expect(past.body.rows).toEqual([]);
    const bad = await request(t.app).get(`/api/datasets/${id}/rows?limit=100000`).set(bearer(token));
    expect(bad.status).toBe(400);
  });

  it('lists only my datasets; another user gets 404 for mine; delete removes the row and the folder', async () => {
    const other = await registerUser(t.app);
    const id = await uploadCsv(t.app, token, 'text,label\nخوب,مثبت\nبد,منفی\n');
    const mine = await request(t.app).get('/api/datasets?limit=100').set(bearer(token));
    expect(mine.body.items.map((d: any) => d.id)).toContain(id);
    expect(mine.body.total).toBe(mine.body.items.length);
    const theirs = await request(t.app).get('/api/datasets').set(bearer(other.token));
    expect(theirs.body).toMatchObject({ items: [], total: 0 });
    for (const [method, url] of [['get', `/api/datasets/${id}`], ['get', `/api/datasets/${id}/rows`], ['delete', `/api/datasets/${id}`]] as const) {
      const res = await request(t.app)[method](url).set(bearer(other.token));
      expect(res.status, url).toBe(404);
    }
    expect((await request(t.app).delete(`/api/datasets/${id}`).set(bearer(token))).status).toBe(204);
    expect((await request(t.app).get(`/api/datasets/${id}`).set(bearer(token))).status).toBe(404);
    await expect(fs.stat(path.join(t.config.paths.datasets, id))).rejects.toThrow();
    expect((await request(t.app).get('/api/datasets/not-a-uuid').set(bearer(token))).status).toBe(400);
  });
});

describe('refused uploads leave nothing behind', () => {
  const refuse = async (file: Buffer | string, name: string, status: number, fields?: Record<string, string>) => {
    const before = await datasetDirs();
    const res = await upload(file, name, fields);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(await datasetDirs()).toEqual(before);
    return res.body.error;
  };

  it('413 past DATASET_MAX_MB', async () => {
    const big = 'text,label\n' + 'جمله‌ای طولانی برای پر کردن فایل,مثبت\n'.repeat(30_000);
    const e = await refuse(big, 'big.csv', 413);
    expect(e.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('422 with the line for invalid UTF-8, an empty file, a header only, one class, ragged rows, bad JSON', async () => {
    const cases: [Buffer | string, number, string][] = [
      [Buffer.concat([Buffer.from('text,label\nخوب,مثبت\n'), Buffer.from([0xff, 0xfe, 0x2c, 0x41, 0x0a])]), 3, 'invalid-utf8'],
      ['', 1, 'empty-file'],
      ['\n\n', 1, 'empty-file'],
      ['text,label\n', 2, 'no-rows'],
      ['text,label\nخوب,مثبت\nعالی,مثبت\n', 2, 'single-class'],
      ['text,label\n' + 'خوب,مثبت\n'.repeat(5) + 'بد\n'.repeat(12), 17, 'ragged-rows'],
      ['{"text":"خوب"}\n{"text": بد}\n', 2, 'invalid-json'],
    ];
    for (const [file, line, reason] of cases) {
      const e = await refuse(file, reason === 'invalid-json' ? 'x.jsonl' : 'x.csv', 422);
      expect(e.code).toBe('INVALID_DATASET');
      expect(e.details[0]).toMatchObject({ line, reason });
    }
  });

  it('a 10 MB line is refused as too long, without reading it whole', async () => {
    const roomy = await buildTestApp({ DATASET_MAX_MB: '20' });
    try {
      const u = await registerUser(roomy.app);
      const res = await request(roomy.app)
        .post('/api/datasets')
        .set(bearer(u.token))
        .attach('file', Buffer.from('text,label\n' + 'ب'.repeat(5 * 1024 * 1024) + ',مثبت\n'), 'long.csv')
        .field('name', 'long');
      expect(res.status).toBe(422);
      expect(res.body.error.details[0]).toMatchObject({ line: 2, reason: 'line-too-long' });
      expect(await fs.readdir(roomy.config.paths.datasets).catch(() => [])).toEqual([]);
    } finally {
      await roomy.close();
    }
  });

  it('400 without a file or a name, for an unknown label column; 415 for a JSON body', async () => {
    expect((await refuse('a,b\n1,2\n', 'x.csv', 400, {})).details[0].path).toBe('name');
    const noFile = await request(t.app).post('/api/datasets').set(bearer(token)).field('name', 'x');
    expect(noFile.status).toBe(400);
    expect(noFile.body.error.details[0].path).toBe('file');
    const e = await refuse('a,b\n1,x\n2,y\n', 'x.csv', 422, { name: 'x', labelColumn: 'nope' });
    expect(e.details[0].reason).toBe('unknown-label-column');
    const json = await request(t.app).post('/api/datasets').set(bearer(token)).send({ name: 'x' });
    expect(json.status).toBe(415);
  });
});
