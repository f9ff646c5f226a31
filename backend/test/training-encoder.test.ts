import fs from 'node:fs/promises';
import path from 'node:path';
import { cosineSimilarity, deserializeFeatures, transformRows, type InstalledModel, type TrainingEmbeddingEvent, type TrainingJobDetail } from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNABLE_REPO } from '../../scripts/hub-mirror/onnx-fixtures.js';
import { embeddingCacheKey } from '../src/modules/training/embedding-cache.js';
import { fileLoader } from '../src/modules/training/model-io.js';
import type { Notifier } from '../src/platform/realtime/realtime.js';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';
import { installRepos, startFixtureMirror, type MirrorFixture } from './hub-fixture.js';
import { persianSentiment, sentimentConfig, toCsv, uploadCsv, waitForJob } from './training-fixtures.js';

let fx: MirrorFixture;
let t: TestApp;
let alice: string;
let bob: string;
const installed = new Map<string, InstalledModel>();
const rows = persianSentiment(400, 11);
let datasetId: string;
/** Every `training:embedding` event sent, in order. */
const embeddingEvents: TrainingEmbeddingEvent[] = [];
const notifier: Notifier = {
  notifyUser: (_user, event, payload) => {
    if (event === 'training:embedding') embeddingEvents.push(payload as TrainingEmbeddingEvent);
  },
  connectedCount: () => 0,
};

beforeAll(async () => {
  fx = await startFixtureMirror({ includeDefaults: false, runnableModels: true });
  t = await buildTestApp(fx.env, { notifier });
  alice = (await registerUser(t.app)).token;
  bob = (await registerUser(t.app)).token;
  for (const [repoId, m] of await installRepos(t.app, alice, [RUNNABLE_REPO.encoder, RUNNABLE_REPO.sentiment])) installed.set(repoId, m);
  // Embedding, training and predicting on an encoder need no Hub.
  await fx.close();
  datasetId = await uploadCsv(t.app, alice, toCsv(rows));
});
afterAll(async () => {
  await t?.close();
});

const encoderId = () => installed.get(RUNNABLE_REPO.encoder)!.id;
/** The head on the fixture encoder's 32 numbers: one hidden layer, enough epochs for the tiny encoder's signal. */
const encoderConfig = (over: Record<string, unknown> = {}) => {
  const { textFeatures: _, ...base } = sentimentConfig(datasetId, { epochs: 30, batchSize: 32, learningRate: 0.02, earlyStopping: null, ...over });
  return { ...base, encoder: { modelId: encoderId() } };
};
const create = (token: string, body: object) => request(t.app).post('/api/training').set(bearer(token)).send(body);

async function train(body: object): Promise<TrainingJobDetail> {
  const res = await create(alice, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return waitForJob(t.app, alice, res.body.id, ['completed', 'failed'], { timeoutMs: 90_000 });
}

async function embed(texts: string[]): Promise<number[][]> {
  const res = await request(t.app).post(`/api/models/${encoderId()}/run`).set(bearer(alice)).send({ pipeline: 'feature-extraction', inputs: texts });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.embeddings as number[][];
}

describe('training on an installed encoder', () => {
  let job: TrainingJobDetail;

  beforeAll(async () => {
    job = await train(encoderConfig());
  }, 120_000);

  it('embeds the dataset once, with the embedding length the encoder gives, and trains the head on it', () => {
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    expect(job.config).toMatchObject({ input: 'dense', encoder: { modelId: encoderId(), pooling: 'mean' } });
    expect(job.metrics.embedding).toMatchObject({ encoderId: encoderId(), repoId: RUNNABLE_REPO.encoder, rows: rows.length, total: rows.length, dim: 32, done: true, cached: false });
    expect(job.metrics.featureDim).toBe(32);
    // 32 → 32 relu → 2 classes.
    expect(job.metrics.parameters).toBe(32 * 32 + 32 + 32 * 2 + 2);
    expect(job.model?.encoder).toMatchObject({
      installedId: encoderId(),
      repoId: RUNNABLE_REPO.encoder,
      variant: 'fp32',
      pooling: 'mean',
      normalize: true,
      dim: 32,
      text: { persian: true },
    });
    expect(job.model!.encoder!.files).toEqual(expect.arrayContaining(['config.json', 'tokenizer.json', 'onnx/model.onnx']));
    expect(job.model!.encoder!.files.some((f) => f.includes('quantized') || f.endsWith('.md'))).toBe(false);
    // The tiny MLM encoder carries some of the sentences' sentiment: the held-out rows are above chance (0.5).
    expect(job.evaluation!.report.rows).toBe(job.metrics.samples!.validation);
    expect(job.evaluation!.report.accuracy).toBeGreaterThan(0.6);
  });

  it('predicts through encoder + head: what the encoder gives the text, standardised, through the saved network', async () => {
    const texts = ['این فیلم فوق‌العاده بود', 'این گوشی افتضاح بود', 'كيفيت صدا خوب است'];
    const res = await request(t.app).post(`/api/models/${job.modelId}/predict`).set(bearer(alice)).send({ inputs: texts.map((text) => ({ text })) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // The same path by hand: the runtime's embedding, the saved features.json and model.json.
    const dir = path.join(t.config.paths.models, 'trained', job.modelId!);
    const features = deserializeFeatures(await fs.readFile(path.join(dir, 'features.json'), 'utf8'));
    expect(features.embedding).toMatchObject({ column: 'text', dim: 32, encoder: { repoId: RUNNABLE_REPO.encoder, variant: 'fp32', pooling: 'mean', normalize: true } });
    expect(Array.from(features.embedding!.std).every((s) => s > 0 && s < 1)).toBe(true);
    const vectors = await embed(texts);
    const { x } = transformRows(features, vectors.map((v) => ({ text: v })));
    const model = await tf.loadLayersModel(fileLoader(dir));
    const expected = (model.predict(tf.tensor2d(x, [texts.length, 32])) as tf.Tensor).arraySync() as number[][];
    model.dispose();
    const got = res.body.predictions as { probabilities: { label: string; probability: number }[] }[];
    got.forEach((p, i) => {
      for (const q of p.probabilities) expect(q.probability).toBeCloseTo(expected[i]![features.label.kind === 'classification' ? features.label.classes.indexOf(q.label) : 0]!, 5);
    });
  });

  it('keeps the embeddings on disk beside the dataset: exactly what the runtime gives each row', async () => {
    const detail = await request(t.app).get(`/api/datasets/${datasetId}`).set(bearer(alice));
    expect(detail.status).toBe(200);
    const files = await fs.readdir(path.join(t.config.paths.datasets, datasetId, 'embeddings'));
    const cache = files.find((f) => f.endsWith('.f32'))!;
    expect(cache).toBe(`${embeddingCacheKey('text', { ...job.model!.encoder!, revision: job.model!.encoder!.revision })}.f32`);
    expect(files.some((f) => f.includes('.partial'))).toBe(false);
    const bytes = await fs.readFile(path.join(t.config.paths.datasets, datasetId, 'embeddings', cache));
    expect(bytes.byteLength).toBe(rows.length * 32 * 4);
    const stored = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const picks = [0, 1, 217, rows.length - 1];
    const fresh = await embed(picks.map((i) => rows[i]!.text));
    picks.forEach((row, k) => expect(cosineSimilarity(Array.from(stored.subarray(row * 32, (row + 1) * 32)), fresh[k]!)).toBeGreaterThan(0.99999));
  });

  it('reuses the cache for the next job on the same dataset and encoder', async () => {
    const again = await train(encoderConfig({ epochs: 2, layers: [] }));
    expect(again.status).toBe('completed');
    expect(again.metrics.embedding).toMatchObject({ cached: true, done: true, rows: rows.length });
  }, 120_000);

  it('evaluates on a dataset through the encoder', async () => {
    const other = await uploadCsv(t.app, alice, toCsv(persianSentiment(120, 99)), 'نظرات دیگر');
    const res = await request(t.app).post(`/api/models/${job.modelId}/evaluate`).set(bearer(alice)).send({ datasetId: other });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.skipped).toBe(0);
    expect(res.body.evaluation.report.rows).toBe(120);
    expect(res.body.evaluation.report.accuracy).toBeGreaterThan(0.6);
  }, 60_000);

  it('serves the encoder files to the model owner only, as the browser loads them', async () => {
    const folder = installed.get(RUNNABLE_REPO.encoder)!;
    const res = await request(t.app).get(`/api/models/${job.modelId}/encoder/onnx/model.onnx`).set(bearer(alice)).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect((res.body as Buffer).byteLength).toBe(fx.repo(RUNNABLE_REPO.encoder).files.find((f) => f.path === 'onnx/model.onnx')!.size);
    const config = await request(t.app).get(`/api/models/${job.modelId}/encoder/config.json`).set(bearer(alice));
    expect(config.status).toBe(200);
    expect(config.body.hidden_size).toBe(32);
    expect(folder.id).toBe(encoderId());
    // Another user's model, a file outside the list, and paths that climb out are all 404 (or 400 for a bad path).
    expect((await request(t.app).get(`/api/models/${job.modelId}/encoder/config.json`).set(bearer(bob))).status).toBe(404);
    expect((await request(t.app).get(`/api/models/${job.modelId}/encoder/onnx/model_quantized.onnx`).set(bearer(alice))).status).toBe(404);
    expect([400, 404]).toContain((await request(t.app).get(`/api/models/${job.modelId}/encoder/..%2F..%2Fconfig.json`).set(bearer(alice))).status);
    expect((await request(t.app).get(`/api/models/${job.modelId}/encoder/config.json`)).status).toBe(401);
  });

  it('continues fine-tuning from a model on an encoder, with the same encoder', async () => {
    const res = await create(alice, { ...encoderConfig({ epochs: 2 }), encoder: undefined, modelId: job.modelId });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.config.encoder).toEqual({ modelId: encoderId(), pooling: 'mean' });
    const done = await waitForJob(t.app, alice, res.body.id, ['completed', 'failed'], { timeoutMs: 90_000 });
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    expect(done.metrics.embedding.cached).toBe(true);
  }, 120_000);
});

describe('what an encoder job refuses', () => {
  it('a model that is not an encoder, an unknown id, n-gram settings and the sparse input', async () => {
    const notEncoder = await create(alice, { ...encoderConfig(), encoder: { modelId: installed.get(RUNNABLE_REPO.sentiment)!.id } });
    expect(notEncoder.status).toBe(400);
    expect(notEncoder.body.error.details).toEqual([expect.objectContaining({ path: 'encoder.modelId', message: expect.stringContaining('feature-extraction') })]);
    const unknown = await create(alice, { ...encoderConfig(), encoder: { modelId: '00000000-0000-4000-8000-000000000000' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ path: 'encoder.modelId', message: 'no installed model has this id' })]);
    const ngrams = await create(alice, { ...encoderConfig(), textFeatures: { buckets: 1024 } });
    expect(ngrams.status).toBe(400);
    expect(ngrams.body.error.details).toEqual([expect.objectContaining({ path: 'textFeatures' })]);
    const sparse = await create(alice, { ...encoderConfig(), input: 'sparse' });
    expect(sparse.status).toBe(400);
    expect(sparse.body.error.details).toEqual([expect.objectContaining({ path: 'input' })]);
  });
});

describe('pause and resume while the encoder embeds', () => {
  it('keeps the rows embedded before the pause and continues from them; the cache ends the same as one never paused', async () => {
    const big = persianSentiment(12_000, 5);
    const id = await uploadCsv(t.app, alice, toCsv(big), 'نظرات بسیار');
    const res = await create(alice, { ...encoderConfig({ datasetId: id, epochs: 1, layers: [] }) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const during = await waitForJob(t.app, alice, res.body.id, ['running'], { until: (j) => (j.metrics.embedding?.rows ?? 0) > 0 && !j.metrics.embedding.done, timeoutMs: 60_000 });
    expect(during.metrics.embedding.total).toBe(big.length);
    expect((await request(t.app).post(`/api/training/${res.body.id}/pause`).set(bearer(alice))).status).toBe(200);
    const paused = await waitForJob(t.app, alice, res.body.id, ['paused']);
    const dir = path.join(t.config.paths.datasets, id, 'embeddings');
    const partial = (await fs.readdir(dir)).find((f) => f.endsWith('.partial'));
    expect(partial, 'the partial file is kept while paused').toBeDefined();
    const kept = (await fs.stat(path.join(dir, partial!))).size / (32 * 4);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(big.length);
    expect(paused.metrics.embedding.rows).toBeLessThanOrEqual(kept);

    const before = embeddingEvents.filter((e) => e.jobId === res.body.id).length;
    expect((await request(t.app).post(`/api/training/${res.body.id}/resume`).set(bearer(alice))).status).toBe(200);
    const done = await waitForJob(t.app, alice, res.body.id, ['completed', 'failed'], { timeoutMs: 120_000 });
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    expect(done.metrics.embedding).toMatchObject({ rows: big.length, done: true, cached: false });
    // The events the job page follows: from 0 up before the pause; after it, from the rows the file kept, up to done.
    const events = embeddingEvents.filter((e) => e.jobId === res.body.id);
    const [first, resumed] = [events.slice(0, before), events.slice(before)];
    expect(first[0]).toMatchObject({ rows: 0, total: big.length, done: false });
    expect(resumed[0]).toMatchObject({ rows: Math.floor(kept), done: false });
    expect(resumed.at(-1)).toMatchObject({ rows: big.length, done: true, dim: 32, rowsPerSecond: expect.any(Number) });
    for (const run of [first, resumed]) run.slice(1).forEach((e, i) => expect(e.rows).toBeGreaterThanOrEqual(run[i]!.rows));
    const files = await fs.readdir(dir);
    expect(files.some((f) => f.includes('.partial'))).toBe(false);
    const bytes = await fs.readFile(path.join(dir, files.find((f) => f.endsWith('.f32'))!));
    expect(bytes.byteLength).toBe(big.length * 32 * 4);
    // Rows on both sides of the pause sit at their own place in the file.
    const stored = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const picks = [0, Math.max(0, Math.floor(kept) - 1), Math.floor(kept), big.length - 1];
    const fresh = await embed(picks.map((i) => big[i]!.text));
    picks.forEach((row, k) => expect(cosineSimilarity(Array.from(stored.subarray(row * 32, (row + 1) * 32)), fresh[k]!)).toBeGreaterThan(0.99999));
  }, 240_000);
});

describe('pause and resume while the head trains', () => {
  it('continues from the checkpoint, its embeddings read back from the cache, every epoch once', async () => {
    const id = await uploadCsv(t.app, alice, toCsv(persianSentiment(3_000, 8)), 'نظرات سر');
    const epochs = 6;
    const res = await create(alice, { ...encoderConfig({ datasetId: id, epochs, batchSize: 8, layers: [{ type: 'dense', units: 64, activation: 'relu' }] }) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await waitForJob(t.app, alice, res.body.id, ['running'], { until: (j) => j.checkpoints.length >= 1, timeoutMs: 90_000 });
    expect((await request(t.app).post(`/api/training/${res.body.id}/pause`).set(bearer(alice))).status).toBe(200);
    const paused = await waitForJob(t.app, alice, res.body.id, ['paused', 'completed']);
    expect(paused.status, 'the head finished before the pause landed').toBe('paused');
    expect(paused.metrics.embedding).toMatchObject({ done: true, cached: false });
    expect((await request(t.app).post(`/api/training/${res.body.id}/resume`).set(bearer(alice))).status).toBe(200);
    const done = await waitForJob(t.app, alice, res.body.id, ['completed', 'failed'], { timeoutMs: 120_000 });
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    expect(done.metrics.embedding).toMatchObject({ done: true, cached: true, rows: 3_000 });
    const all = Array.from({ length: epochs }, (_, i) => i + 1);
    // The epoch the pause cut short stays in the history, marked partial; training went on at the next one.
    expect(done.metrics.history.map((h: { epoch: number }) => h.epoch)).toEqual(all);
    expect(done.metrics.history.filter((h: { partial: boolean }) => h.partial).length).toBeLessThanOrEqual(1);
    expect(done.checkpoints.map((c: { epoch: number }) => c.epoch)).toEqual(all);
  }, 240_000);
});

describe('cancelling a job on an encoder', () => {
  it('removes its partial embeddings, even while it is paused', async () => {
    const id = await uploadCsv(t.app, alice, toCsv(persianSentiment(8_000, 6)), 'نظرات لغو');
    const res = await create(alice, { ...encoderConfig({ datasetId: id, epochs: 1, layers: [] }) });
    await waitForJob(t.app, alice, res.body.id, ['running'], { until: (j) => (j.metrics.embedding?.rows ?? 0) > 0 && !j.metrics.embedding.done, timeoutMs: 60_000 });
    await request(t.app).post(`/api/training/${res.body.id}/pause`).set(bearer(alice));
    await waitForJob(t.app, alice, res.body.id, ['paused']);
    const dir = path.join(t.config.paths.datasets, id, 'embeddings');
    expect((await fs.readdir(dir)).some((f) => f.includes(`${res.body.id}.partial`))).toBe(true);
    expect((await request(t.app).delete(`/api/training/${res.body.id}`).set(bearer(alice))).status).toBe(200);
    await waitForJob(t.app, alice, res.body.id, ['cancelled']);
    expect(await fs.readdir(dir)).toEqual([]);
  }, 120_000);
});

describe('an encoder that is removed', () => {
  it('leaves its models saying so: predict is 409 ENCODER_MISSING, the model shows no installed encoder', async () => {
    const job = await train(encoderConfig({ epochs: 1, layers: [] }));
    expect(job.status).toBe('completed');
    // Before deleting it, the installed-models list says how many of my models read through it (another user: none of theirs).
    const mine = (await request(t.app).get('/api/sources/installed').set(bearer(alice))).body.items as InstalledModel[];
    const ready = (await request(t.app).get('/api/models').set(bearer(alice))).body.items as { encoder: unknown }[];
    expect(mine.find((m) => m.repoId === RUNNABLE_REPO.encoder)!.trainedOnIt).toBe(ready.filter((m) => m.encoder).length);
    expect(ready.filter((m) => m.encoder).length).toBeGreaterThanOrEqual(4);
    expect(mine.find((m) => m.repoId === RUNNABLE_REPO.sentiment)!.trainedOnIt).toBe(0);
    const theirs = (await request(t.app).get('/api/sources/installed').set(bearer(bob))).body.items as InstalledModel[];
    expect(theirs.find((m) => m.repoId === RUNNABLE_REPO.encoder)!.trainedOnIt).toBe(0);
    const del = await request(t.app).delete(`/api/sources/installed/${encoderId()}`).set(bearer(alice));
    expect(del.status, JSON.stringify(del.body)).toBeLessThan(300);
    const predict = await request(t.app).post(`/api/models/${job.modelId}/predict`).set(bearer(alice)).send({ inputs: { text: 'عالی بود' } });
    expect(predict.status).toBe(409);
    expect(predict.body.error.code).toBe('ENCODER_MISSING');
    const model = await request(t.app).get(`/api/models/${job.modelId}`).set(bearer(alice));
    expect(model.body.encoder).toMatchObject({ repoId: RUNNABLE_REPO.encoder, installedId: null });
    const again = await create(alice, encoderConfig());
    expect(again.status).toBe(400);
  }, 120_000);
});
