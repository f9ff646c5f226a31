import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { deserializeFeatures, modelFeatureInput, modelInputArrays } from '@sokhan/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTfBackend } from '../src/modules/training/tf-backend.js';
import { bearer, registerUser, startTestServer } from './helpers.js';
import { persianSentiment, sentimentConfig, toCsv, uploadCsv, waitForJob } from './training-fixtures.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
let token: string;
let datasetId: string;
let jobId: string;
let modelId: string;

const config = (over: Record<string, unknown> = {}) => sentimentConfig(datasetId, over);
const waitFor = (app: Server['app'], tok: string, id: string, statuses: string[]) => waitForJob(app, tok, id, statuses);

// Models under a dot-folder (as in ~/.local/share/…): only the served file's own name may not start with a dot.
const hidden = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-training-api-'));

beforeAll(async () => {
  // Pinned to wasm so the backend asserted below does not depend on whether the optional tfjs-node installed.
  s = await startTestServer({ TF_BACKEND: 'wasm', MODELS_DIR: path.join(hidden, '.hidden', 'models') });
  token = (await registerUser(s.app)).token;
  datasetId = await uploadCsv(s.app, token, toCsv(persianSentiment(400, 5)));
});
afterAll(async () => {
  await s.close();
  await fs.rm(hidden, { recursive: true, force: true });
});

describe('training a Persian sentiment model', () => {
  it('POST /api/training answers 201 and the job trains in a worker to held-out accuracy well above chance', async () => {
    const res = await request(s.app).post('/api/training').set(bearer(token)).send(config({ name: 'احساس‌سنج' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'احساس‌سنج', task: 'text-classification', datasetId, progress: 0, config: { seed: 42, epochs: 4, optimizer: 'adam' } });
    expect(['queued', 'running']).toContain(res.body.status);
    jobId = res.body.id;
    modelId = res.body.modelId;

    const done = await waitFor(s.app, token, jobId, ['completed', 'failed']);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.progress).toBe(100);
    expect(done.metrics.backend).toBe('wasm');
    expect(done.metrics.samples).toEqual({ train: 300, validation: 100, skipped: 0 });
    expect(done.metrics.history.map((h: any) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(done.metrics.final.valAccuracy).toBeGreaterThan(0.85);
    expect(done.metrics.history[3].loss).toBeLessThan(done.metrics.history[0].loss);
    expect(done.checkpoints.map((c: any) => c.epoch)).toEqual([1, 2, 3, 4]);
    expect(done.checkpoints.filter((c: any) => c.best)).toHaveLength(1);
    expect(done.model).toMatchObject({ id: modelId, status: 'ready', task: 'text-classification', labels: ['مثبت', 'منفی'], inputs: [{ name: 'text', kind: 'text' }], datasetId, trainingJobId: jobId });
    expect(done.model.files.map((f: any) => f.name)).toEqual(['features.json', 'labels.json', 'model.json', 'weights.bin']);
    const row = await s.pool.query('SELECT source, owner_id, status, type FROM models WHERE id = $1', [modelId]);
    expect(row.rows[0]).toMatchObject({ source: 'trained', status: 'ready', type: 'text-classification' });
  });

  it('predicts many rows of very different lengths as it predicts each alone (rows go through the network in groups of similar length)', async () => {
    const sentences = persianSentiment(300, 23).map((r, i) => Array.from({ length: 1 + ((i * 7) % 11) }, () => r.text).join(' و '));
    const many = await request(s.app).post(`/api/models/${modelId}/predict`).set(bearer(token)).send({ inputs: sentences.map((text) => ({ text })) });
    expect(many.status).toBe(200);
    expect(many.body.predictions).toHaveLength(300);
    for (const i of [0, 1, 5, 10, 37, 128, 129, 200, 255, 256, 299]) {
      const one = await request(s.app).post(`/api/models/${modelId}/predict`).set(bearer(token)).send({ inputs: { text: sentences[i] } });
      const alone = one.body.predictions[0].probabilities as { label: string; probability: number }[];
      const inMany = many.body.predictions[i].probabilities as { label: string; probability: number }[];
      expect(inMany.map((p) => p.label)).toEqual(alone.map((p) => p.label));
      inMany.forEach((p, k) => expect(p.probability).toBeCloseTo(alone[k]!.probability, 5));
    }
  });

  it('predicts unseen Persian sentences on the server with the same features', async () => {
    const unseen = persianSentiment(60, 999);
    const res = await request(s.app).post(`/api/models/${modelId}/predict`).set(bearer(token)).send({ inputs: unseen.map((r) => ({ text: r.text })) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ modelId, task: 'text-classification', backend: 'wasm' });
    const right = res.body.predictions.filter((p: any, i: number) => p.label === unseen[i]!.label).length;
    expect(right / unseen.length).toBeGreaterThan(0.85);
    const one = await request(s.app).post(`/api/models/${modelId}/predict`).set(bearer(token)).send({ inputs: { text: 'این فیلم واقعاً عالی بود' } });
    expect(one.body.predictions).toHaveLength(1);
    expect(one.body.predictions[0].label).toBe('مثبت');
    expect(one.body.predictions[0].probabilities.reduce((a: number, p: any) => a + p.probability, 0)).toBeCloseTo(1, 4);
    const bad = await request(s.app).post(`/api/models/${modelId}/predict`).set(bearer(token)).send({ inputs: { متن: 'x' } });
    expect(bad.status).toBe(400);
  });

  it('evaluates the model on another dataset with the same columns, keeps the figures with the model', async () => {
    const unseen = persianSentiment(80, 4242);
    // Two rows with a label the model never learnt are left out, not counted as errors.
    const rows = [...unseen, { text: 'این کتاب خوب بود', label: 'خنثی' }, { text: 'این فیلم بد بود', label: 'خنثی' }];
    const other = await uploadCsv(s.app, token, toCsv(rows), 'آزمون');
    const res = await request(s.app).post(`/api/models/${modelId}/evaluate`).set(bearer(token)).send({ datasetId: other });
    expect(res.status).toBe(201);
    expect(res.body.skipped).toBe(2);
    const e = res.body.evaluation;
    expect(e).toMatchObject({ modelId, datasetId: other, split: 'dataset', trainingJobId: null });
    expect(e.report.rows).toBe(80);
    expect(e.report.labels).toEqual(['مثبت', 'منفی']);
    // The same answers as predict on those rows.
    const predicted = await request(s.app).post(`/api/models/${modelId}/predict`).set(bearer(token)).send({ inputs: unseen.map((r) => ({ text: r.text })) });
    const right = predicted.body.predictions.filter((p: any, i: number) => p.label === unseen[i]!.label).length;
    expect(e.report.accuracy).toBeCloseTo(right / 80, 10);
    expect(e.report.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(80);
    const list = await request(s.app).get(`/api/models/${modelId}/evaluations`).set(bearer(token));
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: any) => i.split)).toEqual(['dataset', 'validation']);
    expect(list.body.items[0].id).toBe(e.id);

    const noText = await uploadCsv(s.app, token, toCsv(unseen.map((r) => ({ body: r.text, label: r.label }))), 'بی‌متن');
    const missing = await request(s.app).post(`/api/models/${modelId}/evaluate`).set(bearer(token)).send({ datasetId: noText });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].message).toContain('"text"');
    const stranger = (await registerUser(s.app)).token;
    expect((await request(s.app).post(`/api/models/${modelId}/evaluate`).set(bearer(stranger)).send({ datasetId: other })).status).toBe(404);
    expect((await request(s.app).get(`/api/models/${modelId}/evaluations`).set(bearer(stranger))).status).toBe(404);
  });

  it('serves the model files the browser loads (owner only, plain names only), and they give the same answers', async () => {
    expect(s.config.paths.models.split(path.sep)).toContain('.hidden');
    const json = await request(s.app).get(`/api/models/${modelId}/files/model.json`).set(bearer(token));
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toMatch(/application\/json/);
    expect(json.body.weightsManifest[0].paths).toEqual(['weights.bin']);
    const other = await registerUser(s.app);
    expect((await request(s.app).get(`/api/models/${modelId}/files/model.json`).set(bearer(other.token))).status).toBe(404);
    expect((await request(s.app).post(`/api/models/${modelId}/predict`).set(bearer(other.token)).send({ inputs: { text: 'خوب' } })).status).toBe(404);
    expect((await request(s.app).get(`/api/models/${modelId}/files/model.json`)).status).toBe(401);
    for (const name of ['..%2F..%2Fetc%2Fpasswd', '.env', 'missing.bin', '%2Fetc%2Fpasswd']) {
      const res = await request(s.app).get(`/api/models/${modelId}/files/${name}`).set(bearer(token));
      expect([400, 404], name).toContain(res.status);
    }

    // What the playground does: tf.loadLayersModel over HTTP with the Authorization header, features from features.json.
    await initTfBackend('cpu');
    const base = `${s.url}/api/models/${modelId}/files`;
    const headers = bearer(token);
    const model = await tf.loadLayersModel(tf.io.http(`${base}/model.json`, { requestInit: { headers } }));
    const features = deserializeFeatures(await (await fetch(`${base}/features.json`, { headers })).text());
    const text = 'غذای این رستوران افتضاح بود';
    // The job used the default sparse input: model.json says so, and the shared helper builds [ids, weights].
    expect(modelFeatureInput(model.getUserDefinedMetadata()).input).toBe('sparse');
    const m = modelInputArrays(features, [{ text }], modelFeatureInput(model.getUserDefinedMetadata()));
    if (m.kind !== 'sparse') throw new Error('expected sparse inputs');
    const probs = tf.tidy(() => (model.predict([tf.tensor2d(m.ids, m.shape, 'int32'), tf.tensor2d(m.weights, m.shape)]) as tf.Tensor).dataSync());
    model.dispose();
    const server = await request(s.app).post(`/api/models/${modelId}/predict`).set(bearer(token)).send({ inputs: { text } });
    expect(server.body.predictions[0].label).toBe('منفی');
    const serverProbs = Object.fromEntries(server.body.predictions[0].probabilities.map((p: any) => [p.label, p.probability]));
    expect(probs[0]).toBeCloseTo(serverProbs['مثبت'], 4);
    expect(probs[1]).toBeCloseTo(serverProbs['منفی'], 4);
  });

  it('continues training from a trained model (fine-tuning) into a new model', async () => {
    const res = await request(s.app).post('/api/training').set(bearer(token)).send(config({ modelId, epochs: 1, layers: [] }));
    expect(res.status).toBe(201);
    expect(res.body.baseModelId).toBe(modelId);
    expect(res.body.config.layers).toEqual(config().layers);
    const done = await waitFor(s.app, token, res.body.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.modelId).not.toBe(modelId);
    // The base network was already trained: one epoch starts from its accuracy, not from chance.
    expect(done.metrics.history[0].valAccuracy).toBeGreaterThan(0.85);
    const mismatch = await request(s.app).post('/api/training').set(bearer(token)).send(config({ modelId, labelColumn: 'text', textColumn: 'label' }));
    expect(mismatch.status).toBe(400);
  });

  it('lists my jobs (paged, by status) and their checkpoints; another user sees 404', async () => {
    const list = await request(s.app).get('/api/training?status=completed&limit=1').set(bearer(token));
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 2, limit: 1, offset: 0 });
    expect(list.body.items).toHaveLength(1);
    expect((await request(s.app).get('/api/training?status=bogus').set(bearer(token))).status).toBe(400);
    const cps = await request(s.app).get(`/api/training/${jobId}/checkpoints`).set(bearer(token));
    expect(cps.body.items.map((c: any) => c.epoch)).toEqual([1, 2, 3, 4]);
    const other = await registerUser(s.app);
    for (const [method, url] of [
      ['get', `/api/training/${jobId}`],
      ['get', `/api/training/${jobId}/checkpoints`],
      ['post', `/api/training/${jobId}/pause`],
      ['post', `/api/training/${jobId}/resume`],
      ['delete', `/api/training/${jobId}`],
    ] as const) {
      expect((await request(s.app)[method](url).set(bearer(other.token))).status, url).toBe(404);
    }
    expect((await request(s.app).get('/api/training').set(bearer(other.token))).body.total).toBe(0);
    // A finished job neither pauses nor cancels.
    expect((await request(s.app).post(`/api/training/${jobId}/pause`).set(bearer(token))).body.error.code).toBe('INVALID_STATE');
    expect((await request(s.app).delete(`/api/training/${jobId}`).set(bearer(token))).status).toBe(409);
  });
});

describe('bad configurations', () => {
  it('answers 400 with the field for bad values and columns, 404 for another user’s dataset or model', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ layers: [{ type: 'dense', units: 0, activation: 'relu' }] }, 'layers.0.units'],
      [{ layers: [{ type: 'dropout', rate: 1.5 }] }, 'layers.0.rate'],
      [{ optimizer: 'adagrad' }, 'optimizer'],
      [{ labelColumn: 'برچسب' }, 'labelColumn'],
      [{ textColumn: undefined }, 'textColumn'],
      [{ epochs: 0 }, 'epochs'],
      [{ learningRate: 5 }, 'learningRate'],
      [{ validationSplit: 0.9 }, 'validationSplit'],
      [{ textFeatures: { buckets: 1000 } }, 'textFeatures.buckets'],
      [{ layers: [{ type: 'dense', units: 4096 }, { type: 'dense', units: 4096 }], textFeatures: { buckets: 65536 } }, 'layers'],
      [{ earlyStopping: { monitor: 'val_loss', patience: 2 }, validationSplit: 0 }, 'earlyStopping.monitor'],
      [{ task: 'tabular-regression' }, 'labelColumn'],
    ];
    for (const [over, field] of cases) {
      const res = await request(s.app).post('/api/training').set(bearer(token)).send(config(over));
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: any) => d.path), JSON.stringify(over)).toContain(field);
    }
    const other = await registerUser(s.app);
    const theirs = await request(s.app).post('/api/training').set(bearer(other.token)).send(config());
    expect(theirs.status).toBe(404);
    const theirModel = await request(s.app).post('/api/training').set(bearer(other.token)).send(config({ datasetId: await uploadCsv(s.app, other.token, toCsv(persianSentiment(40, 2))), modelId }));
    expect(theirModel.status).toBe(404);
    const jobs = await s.pool.query('SELECT count(*)::int AS n FROM training_jobs');
    expect(jobs.rows[0].n).toBe(2);
  });

  it('a dataset with an active job cannot be deleted; once the jobs are done it can', async () => {
    const id = await uploadCsv(s.app, token, toCsv(persianSentiment(120, 8)));
    const job = await request(s.app).post('/api/training').set(bearer(token)).send(config({ datasetId: id, epochs: 2 }));
    await request(s.app).post(`/api/training/${job.body.id}/pause`).set(bearer(token));
    const busy = await request(s.app).delete(`/api/datasets/${id}`).set(bearer(token));
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('DATASET_IN_USE');
    expect((await request(s.app).get(`/api/datasets/${id}`).set(bearer(token))).body.inUse).toBe(true);
    await request(s.app).delete(`/api/training/${job.body.id}`).set(bearer(token));
    // A cancel reaching a job still pausing ends once its worker stops: "done" is the job's state, not a moment.
    await waitFor(s.app, token, job.body.id, ['cancelled']);
    expect((await request(s.app).delete(`/api/datasets/${id}`).set(bearer(token))).status).toBe(204);
    expect((await request(s.app).get(`/api/training/${job.body.id}`).set(bearer(token))).body).toMatchObject({ status: 'cancelled', datasetId: null });
  });
});
