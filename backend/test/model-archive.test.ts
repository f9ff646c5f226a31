import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { deserializeFeatures, modelFeatureInput, modelInputArrays } from '@sokhan/common';
import request from 'supertest';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileLoader } from '../src/modules/training/model-io.js';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';
import { persianSentiment, sentimentConfig, toCsv, uploadCsv, waitForJob } from './training-fixtures.js';
import { craftZip } from './zip-craft.js';

let s: TestApp;
let token: string;
let datasetId: string;
let modelId: string;
let archive: Buffer;

const SENTENCES = ['این فیلم واقعاً عالی بود', 'غذای این رستوران افتضاح بود', 'راستش خدمات پشتیبانی را دوست داشتم', 'این گوشی مدام خراب می‌شود', 'بسته‌بندی محصول معمولی بود'];
const NAMES = { مثبت: 'خوشایند', منفی: 'ناخوشایند' };

/** supertest keeps a binary answer as a Buffer with this parser. */
const binary = (res: any, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};
const exportOf = (id: string, tok = token) => request(s.app).get(`/api/models/${id}/export`).set(bearer(tok)).buffer(true).parse(binary);
const importOf = (zip: Buffer, tok = token, name = 'model.zip') => request(s.app).post('/api/models/import').set(bearer(tok)).attach('file', zip, name);

async function entriesOf(zip: Buffer): Promise<Map<string, Buffer>> {
  const dir = await unzipper.Open.buffer(zip);
  return new Map(await Promise.all(dir.files.map(async (f) => [f.path, await f.buffer()] as const)));
}

/** The entries as a crafted zip, with manifest.json's file list recomputed (so only the change under test is wrong). */
function rebuild(entries: Map<string, Buffer>, opts: { rehash?: boolean } = {}): Buffer {
  const list = new Map(entries);
  if (opts.rehash ?? true) {
    const manifest = JSON.parse(list.get('manifest.json')!.toString('utf8'));
    manifest.files = [...list].filter(([n]) => n !== 'manifest.json').map(([name, data]) => ({ name, sizeBytes: data.length, sha256: createHash('sha256').update(data).digest('hex') }));
    list.set('manifest.json', Buffer.from(JSON.stringify(manifest)));
  }
  return craftZip([...list].map(([name, data]) => ({ name, data, method: 8 })));
}

const json = (b: Buffer) => JSON.parse(b.toString('utf8'));
const probabilities = (body: any) => body.predictions.map((p: any) => p.probabilities.map((q: any) => [q.label, q.name, q.probability]));

async function importedState() {
  const rows = await s.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM models WHERE imported_at IS NOT NULL');
  const dirs = await fs.readdir(path.join(s.config.paths.models, 'trained')).catch(() => [] as string[]);
  return { rows: rows.rows[0]!.n, dirs: dirs.sort() };
}

beforeAll(async () => {
  s = await buildTestApp({ TF_BACKEND: 'wasm' });
  token = (await registerUser(s.app)).token;
  datasetId = await uploadCsv(s.app, token, toCsv(persianSentiment(240, 11)));
  const res = await request(s.app).post('/api/training').set(bearer(token)).send(sentimentConfig(datasetId, { name: 'احساس | نظرها', epochs: 3, labelNames: NAMES }));
  expect(res.status).toBe(201);
  const done = await waitForJob(s.app, token, res.body.id, ['completed', 'failed']);
  expect(done.status).toBe('completed');
  modelId = done.modelId;
  // A later test file: its evaluation travels with the model too.
  const test = await uploadCsv(s.app, token, toCsv(persianSentiment(60, 77)), 'آزمون جدا');
  expect((await request(s.app).post(`/api/models/${modelId}/evaluate`).set(bearer(token)).send({ datasetId: test })).status).toBe(201);
  const exported = await exportOf(modelId);
  expect(exported.status).toBe(200);
  archive = exported.body as Buffer;
});
afterAll(async () => {
  await s.close();
});

describe('exporting a trained model', () => {
  it('streams one zip named after the model with every file, a manifest and a README', async () => {
    const res = await exportOf(modelId);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="sokhan-model-${modelId.slice(0, 8)}.zip"; filename*=UTF-8''${encodeURIComponent('احساس-نظرها.zip')}`);
    const entries = await entriesOf(archive);
    expect([...entries.keys()]).toEqual(['manifest.json', 'README.md', 'model.json', 'weights.bin', 'features.json', 'labels.json', 'metrics.json', 'featurize.js']);

    const manifest = json(entries.get('manifest.json')!);
    expect(manifest).toMatchObject({ format: 'sokhan-model', version: 1, sokhanVersion: s.config.version, model: { id: modelId, name: 'احساس | نظرها', task: 'text-classification', textColumn: 'text', labelColumn: 'label', input: 'sparse' } });
    for (const f of manifest.files) {
      const data = entries.get(f.name)!;
      expect(f, f.name).toEqual({ name: f.name, sizeBytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    }
    const labels = json(entries.get('labels.json')!);
    expect(labels).toEqual({ task: 'text-classification', labelColumn: 'label', labels: ['مثبت', 'منفی'], labelNames: NAMES });

    const stored = (await request(s.app).get(`/api/models/${modelId}/evaluations`).set(bearer(token))).body.items;
    const metrics = json(entries.get('metrics.json')!);
    expect(metrics.evaluations.map((e: any) => [e.split, e.dataset])).toEqual([
      ['validation', 'نظرات'],
      ['dataset', 'آزمون جدا'],
    ]);
    expect(metrics.evaluations.map((e: any) => e.report)).toEqual([...stored].reverse().map((e: any) => e.report));

    const readme = entries.get('README.md')!.toString('utf8');
    const held = metrics.evaluations[0].report;
    expect(readme).toContain('# احساس | نظرها — مدل سخن');
    expect(readme).toContain(`Accuracy **${(held.accuracy * 100).toFixed(1)} %**, macro-F1 **${held.macroF1.toFixed(3)}**`);
    expect(readme).toContain(`| مثبت | خوشایند | ${held.perClass[0].precision.toFixed(3)} |`);
    expect(readme).toContain(`https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@${tf.version.tfjs}/dist/tf.min.js`);
    expect(readme).toContain("SokhanFeatures.create(features, model.getUserDefinedMetadata(), labels)");
  });

  it('ships featurize.js: common\'s featuriser, giving the vectors and probabilities the server gives', async () => {
    const entries = await entriesOf(archive);
    const sandbox: { SokhanFeatures?: any } = {};
    vm.runInNewContext(entries.get('featurize.js')!.toString('utf8'), sandbox);
    const modelJson = json(entries.get('model.json')!);
    const featurizer = sandbox.SokhanFeatures.create(json(entries.get('features.json')!), modelJson.userDefinedMetadata, json(entries.get('labels.json')!));
    expect(featurizer.inputs).toEqual([{ name: 'text', kind: 'text' }]);
    const rows = SENTENCES.map((text) => ({ text }));
    const features = deserializeFeatures(entries.get('features.json')!.toString('utf8'));
    const ours = modelInputArrays(features, rows, modelFeatureInput(modelJson.userDefinedMetadata));
    const theirs = featurizer.encode(rows);
    expect(theirs.kind).toBe('sparse');
    expect(Array.from(theirs.ids)).toEqual(Array.from((ours as { ids: Int32Array }).ids));
    expect(Array.from(theirs.weights)).toEqual(Array.from((ours as { weights: Float32Array }).weights));

    // The page's steps (tensors, predict, decode) on the archive's own model.json and weights.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-unzipped-'));
    for (const name of ['model.json', 'weights.bin']) await fs.writeFile(path.join(dir, name), entries.get(name)!);
    const model = await tf.loadLayersModel(fileLoader(dir));
    const results = await featurizer.predict(tf, model, rows);
    model.dispose();
    await fs.rm(dir, { recursive: true });
    const server = await request(s.app).post(`/api/models/${modelId}/predict`).set(bearer(token)).send({ inputs: rows });
    expect(results.map((r: any) => r.map((p: any) => [p.label, p.name]))).toEqual(server.body.predictions.map((p: any) => p.probabilities.map((q: any) => [q.label, q.name])));
    results.forEach((r: any, i: number) => r.forEach((p: any, j: number) => expect(p.probability).toBeCloseTo(server.body.predictions[i].probabilities[j].probability, 6)));
  });

  it("another user's model answers 404, as a missing one does", async () => {
    const stranger = (await registerUser(s.app)).token;
    expect((await exportOf(modelId, stranger)).status).toBe(404);
    expect((await exportOf('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await request(s.app).get(`/api/models/${modelId}`).set(bearer(stranger))).status).toBe(404);
    expect((await request(s.app).get(`/api/models/${modelId}/export`)).status).toBe(401);
  });
});

describe('importing it back', () => {
  let importedId: string;

  it('creates a ready model of the importing user that predicts exactly as the original, with its class names', async () => {
    const before = await importedState();
    const res = await importOf(archive);
    expect(res.status).toBe(201);
    importedId = res.body.id;
    expect(importedId).not.toBe(modelId);
    expect(res.body).toMatchObject({ status: 'ready', name: 'احساس | نظرها', task: 'text-classification', labels: ['مثبت', 'منفی'], labelNames: NAMES, inputs: [{ name: 'text', kind: 'text' }], datasetId: null, trainingJobId: null });
    expect(res.body.importedAt).toEqual(expect.any(String));
    expect(res.body.files.map((f: any) => f.name)).toEqual(['features.json', 'labels.json', 'model.json', 'weights.bin']);
    const after = await importedState();
    expect(after.rows).toBe(before.rows + 1);
    expect(after.dirs).toEqual([...before.dirs, importedId].sort());

    const inputs = SENTENCES.map((text) => ({ text }));
    const original = await request(s.app).post(`/api/models/${modelId}/predict`).set(bearer(token)).send({ inputs });
    const imported = await request(s.app).post(`/api/models/${importedId}/predict`).set(bearer(token)).send({ inputs });
    expect(imported.status).toBe(200);
    expect(probabilities(imported.body)).toEqual(probabilities(original.body));
    expect(imported.body.predictions.map((p: any) => p.name)).toEqual(original.body.predictions.map((p: any) => p.name));
    expect(new Set(imported.body.predictions.map((p: any) => p.name))).toEqual(new Set(['خوشایند', 'ناخوشایند']));

    // The files the browser playground loads.
    const files = await request(s.app).get(`/api/models/${importedId}/files/model.json`).set(bearer(token));
    expect(files.status).toBe(200);
    const list = await request(s.app).get('/api/models').set(bearer(token));
    expect(list.body.items.map((m: any) => m.id)).toEqual([importedId, modelId]);
    expect((await request(s.app).get(`/api/models/${importedId}`).set(bearer(token))).body).toEqual(res.body);
  });

  it('keeps the stored evaluations and evaluates as the original does', async () => {
    const original = (await request(s.app).get(`/api/models/${modelId}/evaluations`).set(bearer(token))).body.items;
    const imported = (await request(s.app).get(`/api/models/${importedId}/evaluations`).set(bearer(token))).body.items;
    expect(imported.map((e: any) => [e.split, e.createdAt, e.report])).toEqual(original.map((e: any) => [e.split, e.createdAt, e.report]));
    expect(imported.every((e: any) => e.modelId === importedId && e.datasetId === null && e.trainingJobId === null)).toBe(true);

    const other = await uploadCsv(s.app, token, toCsv(persianSentiment(50, 31)), 'آزمون سوم');
    const a = await request(s.app).post(`/api/models/${modelId}/evaluate`).set(bearer(token)).send({ datasetId: other });
    const b = await request(s.app).post(`/api/models/${importedId}/evaluate`).set(bearer(token)).send({ datasetId: other });
    expect(b.status).toBe(201);
    expect(b.body.evaluation.report).toEqual(a.body.evaluation.report);
  });

  it('round-trips again: the imported model exports an archive that imports, with the same figures', async () => {
    const again = await exportOf(importedId);
    expect(again.status).toBe(200);
    const entries = await entriesOf(again.body as Buffer);
    const metrics = json(entries.get('metrics.json')!);
    expect(metrics.evaluations.slice(0, 2).map((e: any) => [e.split, e.dataset])).toEqual([
      ['validation', 'نظرات'],
      ['dataset', 'آزمون جدا'],
    ]);
    expect(json(entries.get('manifest.json')!).model.id).toBe(importedId);
    const second = await importOf(again.body as Buffer);
    expect(second.status).toBe(201);
    const p1 = await request(s.app).post(`/api/models/${modelId}/predict`).set(bearer(token)).send({ inputs: { text: SENTENCES[1] } });
    const p2 = await request(s.app).post(`/api/models/${second.body.id}/predict`).set(bearer(token)).send({ inputs: { text: SENTENCES[1] } });
    expect(probabilities(p2.body)).toEqual(probabilities(p1.body));
  });

  it("is the importer's own: another user imports the same file as a model of theirs only", async () => {
    const other = (await registerUser(s.app)).token;
    const res = await importOf(archive, other);
    expect(res.status).toBe(201);
    expect((await request(s.app).get(`/api/models/${res.body.id}`).set(bearer(token))).status).toBe(404);
    expect((await exportOf(res.body.id)).status).toBe(404);
    expect((await request(s.app).get('/api/models').set(bearer(other))).body.items.map((m: any) => m.id)).toEqual([res.body.id]);
  });
});

describe('hostile or broken archives', () => {
  const withEntries = (change: (e: Map<string, Buffer>) => void, opts?: { rehash?: boolean }) => async () => {
    const e = await entriesOf(archive);
    change(e);
    return rebuild(e, opts);
  };
  const cases: [string, number, string, string | null, () => Promise<Buffer>][] = [
    ['not a zip', 422, 'not-a-zip', null, async () => Buffer.from('این یک فایل متنی است، نه zip')],
    ['an empty file', 422, 'not-a-zip', null, async () => Buffer.alloc(0)],
    ['a truncated zip', 422, 'truncated', null, async () => archive.subarray(0, Math.floor(archive.length / 2))],
    ['a zip-slip path', 422, 'unsafe-path', '../../evil.json', async () => craftZip([{ name: '../../evil.json', data: '{}' }])],
    ['a Windows zip-slip path', 422, 'unsafe-path', '..\\evil.bin', async () => craftZip([{ name: '..\\evil.bin', data: 'x' }])],
    ['an absolute path', 422, 'absolute-path', '/etc/cron.d/evil', async () => craftZip([{ name: '/etc/cron.d/evil', data: 'x' }])],
    ['a symlink', 422, 'symlink', 'model.json', async () => craftZip([{ name: 'model.json', data: '/etc/passwd', mode: 0o120777 }])],
    [
      'a duplicate name (differing in case only)',
      422,
      'duplicate-entry',
      'MODEL.json',
      async () => {
        const e = await entriesOf(archive);
        return craftZip([...[...e].map(([name, data]) => ({ name, data })), { name: 'MODEL.json', data: e.get('model.json')! }]);
      },
    ],
    ['an unexpected file', 422, 'unexpected-entry', 'run-me.sh', withEntries((e) => e.set('run-me.sh', Buffer.from('rm -rf /')))],
    ['a folder', 422, 'unexpected-entry', 'model/model.json', async () => craftZip([{ name: 'model/model.json', data: '{}' }])],
    ['too many entries', 413, 'too-many-entries', null, async () => craftZip(Array.from({ length: 33 }, (_, i) => ({ name: `w${i}.bin`, data: 'x' })))],
    ['a declared size over the limit', 413, 'too-large', 'weights.bin', async () => craftZip([{ name: 'weights.bin', data: 'x', declaredSize: 400 * 2 ** 20 }])],
    [
      'an entry that inflates past its declared size',
      422,
      'corrupt-entry',
      'weights.bin',
      async () => {
        const e = await entriesOf(archive);
        return craftZip([...[...e].filter(([n]) => n !== 'weights.bin').map(([name, data]) => ({ name, data })), { name: 'weights.bin', data: Buffer.alloc(1000), method: 8, declaredSize: 10 }]);
      },
    ],
    [
      'an entry whose bytes fail their CRC-32',
      422,
      'corrupt-entry',
      'weights.bin',
      async () => {
        const e = await entriesOf(archive);
        return craftZip([...e].map(([name, data]) => ({ name, data, ...(name === 'weights.bin' ? { crc: 12345 } : {}) })));
      },
    ],
    ['a missing features.json', 422, 'missing-entry', 'features.json', withEntries((e) => e.delete('features.json'))],
    [
      'a changed file the manifest does not describe',
      422,
      'file-mismatch',
      'labels.json',
      withEntries((e) => e.set('labels.json', Buffer.from(e.get('labels.json')!.toString().replace('خوشایند', 'بد'))), { rehash: false }),
    ],
    [
      'another format version',
      422,
      'unsupported-version',
      'manifest.json',
      withEntries((e) => e.set('manifest.json', Buffer.from(JSON.stringify({ ...json(e.get('manifest.json')!), version: 2 }))), { rehash: false }),
    ],
    ['invalid JSON', 422, 'invalid-json', 'labels.json', withEntries((e) => e.set('labels.json', Buffer.from('{"task":')))],
    ['a broken features.json', 422, 'invalid-features', 'features.json', withEntries((e) => e.set('features.json', Buffer.from(JSON.stringify({ ...json(e.get('features.json')!), version: 9 }))))],
    [
      "labels that are not the model's classes",
      422,
      'invalid-labels',
      'labels.json',
      withEntries((e) => e.set('labels.json', Buffer.from(JSON.stringify({ ...json(e.get('labels.json')!), labels: ['منفی', 'مثبت'] })))),
    ],
    ['weights shorter than model.json needs', 422, 'weights-mismatch', 'weights.bin', withEntries((e) => e.set('weights.bin', e.get('weights.bin')!.subarray(0, 1000)))],
    [
      'a weights path outside the archive',
      422,
      'invalid-model',
      'model.json',
      withEntries((e) => {
        const m = json(e.get('model.json')!);
        m.weightsManifest[0].paths = ['../weights.bin'];
        e.set('model.json', Buffer.from(JSON.stringify(m)));
      }),
    ],
    [
      'an output width that is not the label count',
      422,
      'output-mismatch',
      'model.json',
      withEntries((e) => {
        const f = json(e.get('features.json')!);
        f.label = { ...f.label, classes: [...f.label.classes, 'خنثی'], counts: [...f.label.counts, 1] };
        e.set('features.json', Buffer.from(JSON.stringify(f)));
        e.set('labels.json', Buffer.from(JSON.stringify({ ...json(e.get('labels.json')!), labels: f.label.classes })));
        e.delete('metrics.json');
      }),
    ],
  ];

  it.each(cases)('%s → %i %s (%s), and nothing is kept', async (_what, status, reason, entry, make) => {
    const before = await importedState();
    const res = await importOf(await make());
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe('INVALID_MODEL_ARCHIVE');
    expect(res.body.error.details).toEqual([{ reason, entry, message: expect.any(String) }]);
    expect(JSON.stringify(res.body)).not.toContain(s.config.paths.models);
    expect(await importedState()).toEqual(before);
  });

  it('without a file part → 400, not multipart → 415; nothing is kept', async () => {
    const before = await importedState();
    const none = await request(s.app).post('/api/models/import').set(bearer(token)).field('name', 'x');
    expect(none.status).toBe(400);
    expect(none.body.error.details[0].path).toBe('file');
    const json415 = await request(s.app).post('/api/models/import').set(bearer(token)).send({ file: 'x' });
    expect(json415.status).toBe(415);
    expect(await importedState()).toEqual(before);
  });
});

describe('an import a crash cut short', () => {
  it('leaves a folder that the next start removes once it is old, never one that may still be receiving', async () => {
    const trained = path.join(s.config.paths.models, 'trained');
    const old = await fs.mkdtemp(path.join(trained, '.import-'));
    await fs.writeFile(path.join(old, 'archive.zip'), 'half an upload');
    const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
    await fs.utimes(old, hourAgo, hourAgo);
    const fresh = await fs.mkdtemp(path.join(trained, '.import-'));
    expect(await s.services.modelArchives.removeAbandonedImports()).toBe(1);
    const left = (await fs.readdir(trained)).filter((n) => n.startsWith('.import-'));
    expect(left).toEqual([path.basename(fresh)]);
    await fs.rm(fresh, { recursive: true });
  });
});
