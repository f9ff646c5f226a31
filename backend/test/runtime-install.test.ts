import path from 'node:path';
import { onnxVariantsIn, runnableIncludes, runResponseSchema, type DownloadRecord, type HubModelDetails, type HubSearchResponse, type InstalledModel } from '@sokhan/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNABLE_REPO } from '../../scripts/hub-mirror/onnx-fixtures.js';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';
import { listTree, startFixtureMirror, waitForDownload, type MirrorFixture } from './hub-fixture.js';

let fx: MirrorFixture;
let t: TestApp;
let token: string;

beforeAll(async () => {
  fx = await startFixtureMirror({ runnableModels: true });
  t = await buildTestApp(fx.env);
  token = (await registerUser(t.app)).token;
});
afterAll(async () => {
  await t?.close();
  await fx?.close();
});

const get = (url: string) => request(t.app).get(url).set(bearer(token));

describe('finding and installing what runs here', () => {
  it('search with runsHere keeps the repositories with ONNX files', async () => {
    const all = (await get('/api/sources/search?limit=100')).body as HubSearchResponse;
    const here = (await get('/api/sources/search?limit=100&runsHere=true')).body as HubSearchResponse;
    const ids = here.items.map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining([RUNNABLE_REPO.sentiment, RUNNABLE_REPO.ner, RUNNABLE_REPO.voice]));
    // PyTorch weights only, a Whisper with safetensors: not offered.
    expect(ids).not.toContain(RUNNABLE_REPO.pytorchOnly);
    expect(ids).not.toContain('parsi-speech/whisper-small-fa');
    expect(here.items.every((i) => i.tags.includes('onnx') || i.libraryName === 'onnx')).toBe(true);
    expect(here.items.length).toBeLessThan(all.items.length);
  });

  it('"only what runs here" downloads one ONNX variant with the config and tokenizer files, and it runs', async () => {
    const details = (await get(`/api/sources/model/${RUNNABLE_REPO.sentiment}`)).body as HubModelDetails;
    expect(onnxVariantsIn(details.files.map((f) => f.path))).toEqual([
      { variant: 'fp32', file: 'onnx/model.onnx' },
      { variant: 'q8', file: 'onnx/model_quantized.onnx' },
    ]);
    const res = await request(t.app).post('/api/sources/download').set(bearer(token)).send({ repoId: RUNNABLE_REPO.sentiment, include: runnableIncludes('q8') });
    expect(res.status).toBe(202);
    const done = await waitForDownload(t.app, token, (res.body as DownloadRecord).id);
    expect(done.status).toBe('completed');
    const model = (await get(`/api/sources/installed/${done.modelId}`)).body as InstalledModel;
    expect(await listTree(path.join(t.config.paths.models, ...RUNNABLE_REPO.sentiment.split('/')))).toEqual([
      'README.md',
      'config.json',
      'onnx/model_quantized.onnx',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(model.runtime).toMatchObject({ status: 'runnable', defaultVariant: 'q8', variants: [{ variant: 'q8', file: 'onnx/model_quantized.onnx' }] });
    const out = await request(t.app).post(`/api/models/${model.id}/run`).set(bearer(token)).send({ pipeline: 'text-classification', inputs: 'غذا افتضاح بود' });
    expect(out.status).toBe(200);
    const body = runResponseSchema.parse(out.body);
    expect(body).toMatchObject({ variant: 'q8', pipeline: 'text-classification' });
    expect(body.pipeline === 'text-classification' && body.results[0]!.labels[0]!.label).toBe('منفی');
  });

  it('an offline search with runsHere lists the installed models that run', async () => {
    const offline = await buildTestApp({}, { pool: t.pool, config: { ...t.config, HF_HUB_OFFLINE: true } });
    try {
      const res = await request(offline.app).get('/api/sources/search?runsHere=true').set(bearer(token));
      expect((res.body as HubSearchResponse).items.map((i) => i.id)).toEqual([RUNNABLE_REPO.sentiment]);
    } finally {
      await offline.close();
    }
  });
});
