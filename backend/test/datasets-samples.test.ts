import fs from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '../src/modules/datasets/dataset-samples.js';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';
import { waitForJob } from './training-fixtures.js';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await buildTestApp({ TF_BACKEND: 'wasm' });
  token = (await registerUser(t.app)).token;
});
afterAll(() => t.close());

/** Rows and label counts read straight from the shipped file (one record a line, the label last and unquoted). */
async function countFile(name: string): Promise<{ rows: number; classes: Map<string, number> }> {
  const lines = (await fs.readFile(path.join(SAMPLES_DIR, name), 'utf8')).split('\n').filter(Boolean).slice(1);
  const classes = new Map<string, number>();
  for (const line of lines) {
    const label = line.slice(line.lastIndexOf(',') + 1);
    classes.set(label, (classes.get(label) ?? 0) + 1);
  }
  return { rows: lines.length, classes };
}

const add = (id: string, tok = token, body: object = {}) => request(t.app).post(`/api/datasets/samples/${id}`).set(bearer(tok)).send(body);

describe('sample datasets', () => {
  it('lists the shipped samples with their rows, classes and size counted from the files', async () => {
    const res = await request(t.app).get('/api/datasets/samples').set(bearer(token));
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: any) => s.id)).toEqual(['fa-sentiment', 'fa-intents']);
    for (const s of res.body.items) {
      const file = await countFile(s.fileName);
      expect(s).toMatchObject({ task: 'text-classification', textColumn: 'متن', labelColumn: 'برچسب', format: 'csv', license: 'CC0-1.0', datasetId: null, rows: file.rows });
      expect(s.sizeBytes).toBe((await fs.stat(path.join(SAMPLES_DIR, s.fileName))).size);
      expect(new Map(s.classes.map((c: any) => [c.value, c.count]))).toEqual(file.classes);
      expect(s.title.fa).toMatch(/[\u0600-\u06FF]/);
      expect(s.title.en).toMatch(/^[\x20-\x7E]+$/);
    }
    const [sentiment, intents] = res.body.items;
    expect(sentiment.classes.map((c: any) => c.value).sort()).toEqual(['خنثی', 'مثبت', 'منفی']);
    expect(sentiment.rows).toBeGreaterThanOrEqual(380);
    expect(intents.classes).toHaveLength(8);
    expect(intents.rows).toBeGreaterThanOrEqual(280);
    expect((await request(t.app).get('/api/datasets/samples')).status).toBe(401);
  });

  it('adds a sample as a dataset profiled like an upload of the same file; each add is a new dataset', async () => {
    const file = await countFile('fa-sentiment.csv');
    const res = await add('fa-sentiment');
    expect(res.status).toBe(201);
    const d = res.body;
    expect(d).toMatchObject({ type: 'text-classification', format: 'csv', originalName: 'fa-sentiment.csv', recordCount: file.rows, textColumn: 'متن', labelColumn: 'برچسب', headerRow: { present: true } });
    expect(d.name).toBe('نظرهای فارسی: مثبت، منفی، خنثی');
    expect(d.columns.map((c: any) => [c.name, c.type])).toEqual([
      ['متن', 'text'],
      ['برچسب', 'category'],
    ]);
    expect(new Map(d.classCounts.map((c: any) => [c.value, c.count]))).toEqual(file.classes);
    expect(d.preview).toHaveLength(20);
    // The stored copy is byte for byte the shipped file, under a generated name in the dataset's own folder.
    const stored = await fs.readdir(path.join(t.config.paths.datasets, d.id));
    expect(stored).toEqual([expect.stringMatching(/^[0-9a-f-]{36}\.csv$/)]);
    expect(await fs.readFile(path.join(t.config.paths.datasets, d.id, stored[0]!))).toEqual(await fs.readFile(path.join(SAMPLES_DIR, 'fa-sentiment.csv')));
    const rows = await request(t.app).get(`/api/datasets/${d.id}/rows?offset=${file.rows - 1}&limit=5`).set(bearer(token));
    expect(rows.body.rows).toHaveLength(1);

    const again = await add('fa-sentiment', token, { name: 'Persian reviews' });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(d.id);
    expect(again.body.name).toBe('Persian reviews');
    const list = await request(t.app).get('/api/datasets/samples').set(bearer(token));
    expect(list.body.items.find((s: any) => s.id === 'fa-sentiment').datasetId).toBe(again.body.id);
    expect(list.body.items.find((s: any) => s.id === 'fa-intents').datasetId).toBeNull();
    // Deleting the latest copy makes the earlier one the sample's dataset again.
    expect((await request(t.app).delete(`/api/datasets/${again.body.id}`).set(bearer(token))).status).toBe(204);
    const after = await request(t.app).get('/api/datasets/samples').set(bearer(token));
    expect(after.body.items.find((s: any) => s.id === 'fa-sentiment').datasetId).toBe(d.id);
  });

  it("keeps users apart: another user's copies are neither listed nor readable", async () => {
    const mine = (await add('fa-intents')).body;
    const other = await registerUser(t.app);
    const theirs = await request(t.app).get('/api/datasets/samples').set(bearer(other.token));
    expect(theirs.body.items.every((s: any) => s.datasetId === null)).toBe(true);
    expect((await request(t.app).get(`/api/datasets/${mine.id}`).set(bearer(other.token))).status).toBe(404);
    const list = await request(t.app).get('/api/datasets').set(bearer(other.token));
    expect(list.body.total).toBe(0);
    const theirCopy = await add('fa-intents', other.token);
    expect(theirCopy.status).toBe(201);
    const mineNow = await request(t.app).get('/api/datasets/samples').set(bearer(token));
    expect(mineNow.body.items.find((s: any) => s.id === 'fa-intents').datasetId).toBe(mine.id);
  });

  it('answers 404 for an unknown sample, 400 for a malformed id or body, and leaves no folder behind', async () => {
    const before = (await fs.readdir(t.config.paths.datasets)).sort();
    const unknown = await add('no-such-sample');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    expect((await add('..%2F..%2Fetc')).status).toBe(400);
    expect((await add('fa-sentiment', token, { name: '' })).status).toBe(400);
    expect((await add('fa-sentiment', token, { extra: 1 })).status).toBe(400);
    expect((await fs.readdir(t.config.paths.datasets)).sort()).toEqual(before);
  });

  // Chance (the largest class) is 0.34 for the three sentiments and 0.13 for the eight intents.
  it.each([
    ['fa-sentiment', 0.55],
    ['fa-intents', 0.6],
  ])('%s trains with the default settings to held-out accuracy well above chance', async (id, floor) => {
    const d = (await add(id)).body;
    // Only what the form fills from the dataset; every setting is the schema's default. The seed fixes the split.
    const res = await request(t.app)
      .post('/api/training')
      .set(bearer(token))
      .send({ datasetId: d.id, task: d.type, textColumn: d.textColumn, labelColumn: d.labelColumn, seed: 1 });
    expect(res.status).toBe(201);
    const done = await waitForJob(t.app, token, res.body.id, ['completed', 'failed'], { timeoutMs: 120_000 });
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    const classes = d.classCounts.length;
    console.log(`${id}: ${classes} classes, validation accuracy ${done.metrics.final.valAccuracy.toFixed(3)} after ${done.metrics.history.length} epochs`);
    expect(done.metrics.final.valAccuracy).toBeGreaterThan(floor);
    expect(done.model.labels).toHaveLength(classes);
  }, 150_000);
});
