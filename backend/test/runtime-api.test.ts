import path from 'node:path';
import { runResponseSchema, type InstalledModel, type ModelRuntime, type RunResponse } from '@sokhan/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNABLE_REPO } from '../../scripts/hub-mirror/onnx-fixtures.js';
import { RuntimePool } from '../src/modules/runtime/runtime-pool.js';
import { RuntimeRepository } from '../src/modules/runtime/runtime.repository.js';
import { RuntimeService } from '../src/modules/runtime/runtime.service.js';
import { decodeWav } from '../src/modules/tts/wav.js';
import { bearer, buildTestApp, registerUser, testLogger, type TestApp } from './helpers.js';
import { installRepos, startFixtureMirror, type MirrorFixture } from './hub-fixture.js';

let fx: MirrorFixture;
let t: TestApp;
let alice: string;
let bob: string;
/** repo id → installed model */
const installed = new Map<string, InstalledModel>();

beforeAll(async () => {
  fx = await startFixtureMirror({ includeDefaults: false, runnableModels: true });
  t = await buildTestApp(fx.env);
  alice = (await registerUser(t.app)).token;
  bob = (await registerUser(t.app)).token;
  // Every fixture through the real download queue; each is inspected when its files are in place.
  for (const [repoId, m] of await installRepos(t.app, alice, Object.values(RUNNABLE_REPO))) installed.set(repoId, m);
  // From here on the Hub is unreachable: running installed models must not need it.
  await fx.close();
});
afterAll(async () => {
  await t?.close();
});

const idOf = (repoId: string) => installed.get(repoId)!.id;
const runtimeOf = (repoId: string) => installed.get(repoId)!.runtime;
const run = (token: string, repoId: string, body: object) => request(t.app).post(`/api/models/${idOf(repoId)}/run`).set(bearer(token)).send(body);

async function runOk(repoId: string, body: object): Promise<RunResponse> {
  const res = await run(alice, repoId, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  // The contract both sides import: the answer must parse, exactly.
  return runResponseSchema.parse(res.body);
}

function runnable(repoId: string): Extract<ModelRuntime, { status: 'runnable' }> {
  const r = runtimeOf(repoId);
  if (r.status !== 'runnable') throw new Error(`${repoId} is ${JSON.stringify(r)}`);
  return r;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('inspection at install', () => {
  it('knows what each fixture runs here, with its ONNX variants and sizes', () => {
    const files = (repoId: string) => fx.repo(repoId).files;
    const size = (repoId: string, p: string) => files(repoId).find((f) => f.path === p)!.size;
    expect(runnable(RUNNABLE_REPO.sentiment)).toMatchObject({
      pipelines: ['text-classification'],
      defaultVariant: 'fp32',
      variants: [
        { variant: 'fp32', file: 'onnx/model.onnx', sizeBytes: size(RUNNABLE_REPO.sentiment, 'onnx/model.onnx') },
        { variant: 'q8', file: 'onnx/model_quantized.onnx', sizeBytes: size(RUNNABLE_REPO.sentiment, 'onnx/model_quantized.onnx') },
      ],
      // The vocabulary is in Persian letter forms with Latin digits: Persian input is normalised to match.
      text: { persian: true, digits: 'latin', keepDiacritics: false },
      maskToken: null,
    });
    expect(runnable(RUNNABLE_REPO.ner).pipelines).toEqual(['token-classification']);
    expect(runnable(RUNNABLE_REPO.fillMask)).toMatchObject({ pipelines: ['fill-mask'], maskToken: '[MASK]' });
    expect(runnable(RUNNABLE_REPO.encoder)).toMatchObject({ pipelines: ['feature-extraction'], hiddenSize: 32 });
    // An NLI classifier (entailment in its labels) does zero-shot first, as its pipeline tag says, and plain classification.
    expect(runnable(RUNNABLE_REPO.nli).pipelines).toEqual(['zero-shot-classification', 'text-classification']);
    expect(runnable(RUNNABLE_REPO.voice)).toMatchObject({ pipelines: ['text-to-speech'], samplingRate: 16000 });
  });

  it('says why a model does not run: PyTorch weights only, or an ONNX file that does not load', () => {
    expect(runtimeOf(RUNNABLE_REPO.pytorchOnly)).toMatchObject({ status: 'unsupported', reasonCode: 'pytorch-only', reason: 'weights are PyTorch only: no onnx/ folder' });
    const broken = runtimeOf(RUNNABLE_REPO.brokenOnnx);
    expect(broken).toMatchObject({ status: 'unsupported', reasonCode: 'onnx-load-failed', reason: expect.stringMatching(/^the ONNX file does not load: .{10,}/) });
    // onnxruntime names the file by its server path; the answer names it as in the repository.
    expect(broken.status === 'unsupported' && broken.reason).toContain('onnx/model.onnx');
    expect(JSON.stringify(broken)).not.toContain(t.config.paths.models);
    expect(JSON.stringify(broken)).not.toContain('<models>');
  });
});

describe('POST /api/models/:id/run (the Hub unreachable)', () => {
  it('classifies text: every label from id2label, scores summing to 1, Arabic letter forms normalised first', async () => {
    const out = await runOk(RUNNABLE_REPO.sentiment, { pipeline: 'text-classification', inputs: ['این فیلم خیلی عالی بود', 'غذا افتضاح بود', 'كيفيت معمولي است'] });
    if (out.pipeline !== 'text-classification') throw new Error('wrong pipeline');
    expect(out).toMatchObject({ modelId: idOf(RUNNABLE_REPO.sentiment), repoId: RUNNABLE_REPO.sentiment, variant: 'fp32', normalized: true, multiLabel: false });
    for (const r of out.results) {
      expect(r.labels.map((l) => l.label).sort()).toEqual(['خنثی', 'مثبت', 'منفی'].sort());
      expect(sum(r.labels.map((l) => l.score))).toBeCloseTo(1, 5);
      expect(r.labels.map((l) => l.score)).toEqual([...r.labels.map((l) => l.score)].sort((a, b) => b - a));
    }
    expect(out.results.map((r) => r.labels[0]!.label)).toEqual(['مثبت', 'منفی', 'خنثی']);
    // «كيفيت معمولي» typed with the Arabic ك and ي reached the model as the Persian «کیفیت معمولی».
    expect(out.results[2]!.text).toBe('کیفیت معمولی است');
  });

  it('runs the quantised variant when asked, and refuses a variant the model does not have', async () => {
    const q8 = await runOk(RUNNABLE_REPO.sentiment, { pipeline: 'text-classification', inputs: 'این فیلم خیلی عالی بود', variant: 'q8' });
    if (q8.pipeline !== 'text-classification') throw new Error('wrong pipeline');
    expect(q8.variant).toBe('q8');
    expect(q8.results[0]!.labels[0]!.label).toBe('مثبت');
    const bad = await run(alice, RUNNABLE_REPO.sentiment, { pipeline: 'text-classification', inputs: 'سلام', variant: 'fp16' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'variant' })] });
  });

  it('tags entities with spans into the text it read', async () => {
    const out = await runOk(RUNNABLE_REPO.ner, { pipeline: 'token-classification', inputs: 'علی رضایی دیروز به شیراز رفت' });
    if (out.pipeline !== 'token-classification') throw new Error('wrong pipeline');
    expect(out.entities.map((e) => [e.entity, e.word, e.start, e.end])).toEqual([
      ['PER', 'علی رضایی', 0, 9],
      ['LOC', 'شیراز', 19, 24],
    ]);
    for (const e of [...out.entities]) expect(out.text.slice(e.start, e.end)).toBe(e.word);
    expect(out.tokens.map((tok) => tok.label)).toEqual(['B-PER', 'I-PER', 'B-LOC']);
    // BERT's tokenizer drops the ZWNJ of «می‌کند»; the spans still point into the text as written.
    const zwnj = await runOk(RUNNABLE_REPO.ner, { pipeline: 'token-classification', inputs: 'مریم در دیجیکالا کار می‌کند', ignoreLabels: [] });
    if (zwnj.pipeline !== 'token-classification') throw new Error('wrong pipeline');
    expect(zwnj.entities.filter((e) => e.entity !== 'O').map((e) => [e.entity, e.word])).toEqual([['PER', 'مریم'], ['ORG', 'دیجیکالا']]);
    const last = zwnj.tokens[zwnj.tokens.length - 1]!;
    expect(zwnj.text.slice(last.start!, last.end!)).toBe('می‌کند');
  });

  it('embeds sentences: the hidden size, unit length, the same numbers every time', async () => {
    const body = { pipeline: 'feature-extraction', inputs: ['این فیلم خیلی خوب بود', 'این فیلم خیلی عالی بود', 'علی به تهران رفت'] };
    const a = await runOk(RUNNABLE_REPO.encoder, body);
    const b = await runOk(RUNNABLE_REPO.encoder, body);
    if (a.pipeline !== 'feature-extraction' || b.pipeline !== 'feature-extraction') throw new Error('wrong pipeline');
    expect(a.dimensions).toBe(runnable(RUNNABLE_REPO.encoder).hiddenSize);
    expect(a.embeddings.map((e) => e.length)).toEqual([32, 32, 32]);
    for (const e of a.embeddings) expect(Math.sqrt(sum(e.map((x) => x * x)))).toBeCloseTo(1, 5);
    expect(b.embeddings).toEqual(a.embeddings);
    expect(b.cached).toBe(true);
    expect(a.similarities[0]).toBeCloseTo(1, 6);
    // The two film reviews are nearer each other than the trip.
    expect(a.similarities[1]!).toBeGreaterThan(a.similarities[2]!);
  });

  it('fills the mask, and refuses a text without the mask token', async () => {
    const out = await runOk(RUNNABLE_REPO.fillMask, { pipeline: 'fill-mask', inputs: 'این فیلم خیلی [MASK] بود', topK: 4 });
    if (out.pipeline !== 'fill-mask') throw new Error('wrong pipeline');
    expect(out.maskToken).toBe('[MASK]');
    expect(out.predictions).toHaveLength(4);
    const scores = out.predictions.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    expect(sum(scores)).toBeLessThanOrEqual(1 + 1e-6);
    for (const p of out.predictions) expect(p.sequence).toBe(`این فیلم خیلی ${p.tokenStr} بود`);
    const none = await run(alice, RUNNABLE_REPO.fillMask, { pipeline: 'fill-mask', inputs: 'این فیلم خیلی خوب بود' });
    expect(none.status).toBe(400);
    expect(none.body.error.details).toEqual([expect.objectContaining({ path: 'inputs' })]);
  });

  it('classifies zero-shot with Persian labels, each label as written', async () => {
    const out = await runOk(RUNNABLE_REPO.nli, { pipeline: 'zero-shot-classification', inputs: 'فوتبال دیشب خیلی عالی بود', candidateLabels: ['غذا', 'ورزش', 'سفر'], hypothesisTemplate: 'این متن درباره {} است' });
    if (out.pipeline !== 'zero-shot-classification') throw new Error('wrong pipeline');
    expect(out.labels[0]!.label).toBe('ورزش');
    expect(out.labels.map((l) => l.label).sort()).toEqual(['سفر', 'غذا', 'ورزش'].sort());
    expect(sum(out.labels.map((l) => l.score))).toBeCloseTo(1, 5);
    const multi = await runOk(RUNNABLE_REPO.nli, { pipeline: 'zero-shot-classification', inputs: 'من کباب و برنج را دوست دارم', candidateLabels: ['غذا', 'فناوری'], hypothesisTemplate: 'این متن درباره {} است', multiLabel: true });
    if (multi.pipeline !== 'zero-shot-classification') throw new Error('wrong pipeline');
    expect(multi.multiLabel).toBe(true);
    expect(multi.labels[0]!.label).toBe('غذا');
    for (const l of multi.labels) expect(l.score).toBeGreaterThanOrEqual(0);
  });

  it('speaks: a WAV at the config’s sample rate, one 20 ms tone per character and blank', async () => {
    const out = await runOk(RUNNABLE_REPO.voice, { pipeline: 'text-to-speech', inputs: 'سلام دنیا' });
    if (out.pipeline !== 'text-to-speech') throw new Error('wrong pipeline');
    const wav = decodeWav(Buffer.from(out.wavBase64, 'base64'));
    expect(wav.sampleRate).toBe(16000);
    expect(out.samplingRate).toBe(runnable(RUNNABLE_REPO.voice).samplingRate);
    // 9 characters with a blank before, between and after each: 19 tokens of 320 samples.
    expect(wav.samples.length).toBe(19 * 320);
    expect(out).toMatchObject({ samples: 19 * 320, durationSeconds: 0.38 });
    expect(wav.samples.some((s) => Math.abs(s) > 1000)).toBe(true);
  });

  it('answers with codes: another pipeline, a model that does not run, an unknown id, no sign-in', async () => {
    const other = await run(alice, RUNNABLE_REPO.sentiment, { pipeline: 'fill-mask', inputs: 'این [MASK] است' });
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({ code: 'PIPELINE_NOT_SUPPORTED', details: [{ pipelines: ['text-classification'] }] });
    const torch = await run(alice, RUNNABLE_REPO.pytorchOnly, { pipeline: 'text-classification', inputs: 'سلام' });
    expect(torch.status).toBe(422);
    expect(torch.body.error).toMatchObject({ code: 'MODEL_NOT_RUNNABLE', details: [{ reasonCode: 'pytorch-only', reason: 'weights are PyTorch only: no onnx/ folder' }] });
    const broken = await run(alice, RUNNABLE_REPO.brokenOnnx, { pipeline: 'text-classification', inputs: 'سلام' });
    expect(broken.body.error.code).toBe('MODEL_NOT_RUNNABLE');
    const missing = await request(t.app).post('/api/models/00000000-0000-4000-8000-000000000000/run').set(bearer(alice)).send({ pipeline: 'text-classification', inputs: 'سلام' });
    expect(missing.status).toBe(404);
    expect((await request(t.app).post(`/api/models/${idOf(RUNNABLE_REPO.sentiment)}/run`).send({ pipeline: 'text-classification', inputs: 'x' })).status).toBe(401);
    const invalid = await run(alice, RUNNABLE_REPO.sentiment, { pipeline: 'text-classification', inputs: '' });
    expect(invalid.status).toBe(400);
  });

  it('lets every signed-in user run an installed model, as every user sees the installed list', async () => {
    const res = await run(bob, RUNNABLE_REPO.sentiment, { pipeline: 'text-classification', inputs: 'غذا افتضاح بود' });
    expect(res.status).toBe(200);
    expect(res.body.results[0].labels[0].label).toBe('منفی');
  });
});

describe('limits', () => {
  it('answers 504 RUN_TIMEOUT past RUNTIME_TIMEOUT_MS (a fresh worker cannot even start in 10 ms)', async () => {
    const quick = await buildTestApp({}, { pool: t.pool, config: { ...t.config, RUNTIME_TIMEOUT_MS: 10 } });
    try {
      const token = (await registerUser(quick.app)).token;
      const res = await request(quick.app).post(`/api/models/${idOf(RUNNABLE_REPO.sentiment)}/run`).set(bearer(token)).send({ pipeline: 'text-classification', inputs: 'سلام' });
      expect(res.status).toBe(504);
      expect(res.body.error.code).toBe('RUN_TIMEOUT');
    } finally {
      await quick.close();
    }
  });

  it('keeps loaded models under the budget, evicting the least recently used', async () => {
    const [a, b, c] = [RUNNABLE_REPO.sentiment, RUNNABLE_REPO.ner, RUNNABLE_REPO.nli];
    const fp32 = (repoId: string) => runnable(repoId).variants.find((v) => v.variant === 'fp32')!.sizeBytes;
    // Room for any two of the three.
    const budget = fp32(a) + fp32(b) + fp32(c) - Math.min(fp32(a), fp32(b), fp32(c)) + 1;
    const pool = new RuntimePool({ size: 1, timeoutMs: 60_000, maxQueue: 8, budgetBytesPerWorker: budget, intraOpThreads: 1, modelsRoot: t.config.paths.models });
    const service = new RuntimeService({ repo: new RuntimeRepository(t.pool), pool, modelsRoot: t.config.paths.models, budgetBytesPerWorker: budget, logger: testLogger });
    const folder = (repoId: string) => path.join(t.config.paths.models, ...repoId.split('/'));
    const go = async (repoId: string) => (await service.run(idOf(repoId), { pipeline: runnable(repoId).pipelines.includes('text-classification') ? 'text-classification' : 'token-classification', inputs: 'سلام', ignoreLabels: ['O'] })).cached;
    try {
      expect(await go(a)).toBe(false);
      expect(await go(b)).toBe(false);
      expect(await go(a)).toBe(true);
      // c does not fit beside a and b: b, used least recently, goes.
      expect(await go(c)).toBe(false);
      expect(pool.stats().resident).toEqual([[`${folder(a)}|fp32`, `${folder(c)}|fp32`]]);
      expect(await go(a)).toBe(true);
      expect(await go(b)).toBe(false);
      expect(pool.stats().resident).toEqual([[`${folder(a)}|fp32`, `${folder(b)}|fp32`]]);
      // A model larger than the whole budget is refused before anything is loaded.
      const tiny = new RuntimeService({ repo: new RuntimeRepository(t.pool), pool, modelsRoot: t.config.paths.models, budgetBytesPerWorker: 1000, logger: testLogger });
      await expect(tiny.run(idOf(a), { pipeline: 'text-classification', inputs: 'سلام' })).rejects.toMatchObject({ status: 422, code: 'MODEL_TOO_LARGE' });
    } finally {
      await service.stop();
    }
  });

  it('inspects at start the installed models no inspection has seen', async () => {
    await t.pool.query(`DELETE FROM model_runtime WHERE model_id = $1`, [idOf(RUNNABLE_REPO.encoder)]);
    const before = await request(t.app).get(`/api/sources/installed/${idOf(RUNNABLE_REPO.encoder)}`).set(bearer(alice));
    expect(before.body.runtime).toEqual({ status: 'unchecked' });
    const again = await buildTestApp({}, { pool: t.pool, config: t.config });
    try {
      await again.services.runtime.settled();
      const after = await request(again.app).get(`/api/sources/installed/${idOf(RUNNABLE_REPO.encoder)}`).set(bearer(alice));
      expect(after.body.runtime).toMatchObject({ status: 'runnable', pipelines: ['feature-extraction'], hiddenSize: 32 });
    } finally {
      await again.close();
    }
  });
});
