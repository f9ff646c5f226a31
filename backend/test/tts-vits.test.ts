import type { InstalledModel, TtsHistoryItem, TtsSynthesisInfo, TtsVoice, TtsVoicesResponse } from '@sokhan/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNABLE_REPO, runnableFixtureSpecs } from '../../scripts/hub-mirror/onnx-fixtures.js';
import { decodeWav } from '../src/modules/tts/wav.js';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';
import { installRepos, startFixtureMirror, type MirrorFixture } from './hub-fixture.js';
import { readWav, rms } from './tts-helpers.js';

/** Binary answers: supertest buffers audio/wav into a Buffer with this parser. */
const binary = (res: any, done: (err: Error | null, body: any) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
  res.on('error', (e: Error) => done(e, Buffer.alloc(0)));
};

/** The fixture voice with its ONNX file cut short: a VITS model the runtime cannot load. */
const BROKEN_VOICE = 'sokhan-lab/mms-tts-fa-broken';

let fx: MirrorFixture;
let t: TestApp;
let token: string;
const installed = new Map<string, InstalledModel>();

beforeAll(async () => {
  const specs = runnableFixtureSpecs();
  const voice = specs.find((s) => s.id === RUNNABLE_REPO.voice)!;
  const onnx = voice.files['onnx/model.onnx'] as Buffer;
  const { 'onnx/model_quantized.onnx': _q, ...files } = voice.files;
  const broken = { ...voice, id: BROKEN_VOICE, files: { ...files, 'onnx/model.onnx': onnx.subarray(0, Math.floor(onnx.length / 2)) } };
  // The voice, the broken voice, and a classifier that runs here but does not speak.
  fx = await startFixtureMirror({ includeDefaults: false, extraRepos: [voice, broken, specs.find((s) => s.id === RUNNABLE_REPO.sentiment)!] });
  t = await buildTestApp(fx.env);
  token = (await registerUser(t.app)).token;
  for (const [repoId, m] of await installRepos(t.app, token, [RUNNABLE_REPO.voice, BROKEN_VOICE, RUNNABLE_REPO.sentiment])) installed.set(repoId, m);
  // Speaking needs nothing from the Hub.
  await fx.close();
});
afterAll(async () => {
  await t?.close();
});

const idOf = (repoId: string) => installed.get(repoId)!.id;

async function voices(): Promise<TtsVoicesResponse> {
  const res = await request(t.app).get('/api/tts/voices').set(bearer(token));
  expect(res.status).toBe(200);
  return res.body as TtsVoicesResponse;
}

async function vitsVoice(): Promise<TtsVoice> {
  return (await voices()).voices.find((v) => v.engine === 'vits')!;
}

describe('VITS voices in the catalog', () => {
  it('offers the runnable VITS model beside the built-in voice, with its license and sample rate', async () => {
    const body = await voices();
    expect(body.voices.map((v) => v.id)).toEqual(['espeak:fa', `vits:${idOf(RUNNABLE_REPO.voice)}`]);
    expect(body.voices[1]).toEqual({
      id: `vits:${idOf(RUNNABLE_REPO.voice)}`,
      name: 'mms-tts-fa-tiny',
      language: 'fa',
      quality: null,
      sampleRate: 16000,
      engine: 'vits',
      modelId: idOf(RUNNABLE_REPO.voice),
      sourceRepo: RUNNABLE_REPO.voice,
      license: 'cc-by-nc-4.0',
      speakers: 1,
      defaults: null,
    });
  });

  it('never offers a VITS model whose ONNX file does not load (the installed list says why)', async () => {
    expect(installed.get(BROKEN_VOICE)!.runtime).toMatchObject({ status: 'unsupported', reasonCode: 'onnx-load-failed' });
    expect((await voices()).voices.some((v) => v.sourceRepo === BROKEN_VOICE)).toBe(false);
    const res = await request(t.app).post('/api/tts').set(bearer(token)).send({ text: 'سلام', voiceId: `vits:${idOf(BROKEN_VOICE)}` });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('UNKNOWN_VOICE');
    // Nor a model that runs here but does not speak.
    const other = await request(t.app).post('/api/tts').set(bearer(token)).send({ text: 'سلام', voiceId: `vits:${idOf(RUNNABLE_REPO.sentiment)}` });
    expect(other.status).toBe(404);
  });
});

describe('POST /api/tts with a VITS voice (through the model runtime)', () => {
  it('speaks each sentence through the runtime, joined with a 0.2 s pause, at the model’s sample rate', async () => {
    const voice = await vitsVoice();
    const res = await request(t.app).post('/api/tts').set(bearer(token)).send({ text: 'سلام دنیا. خداحافظ!', voiceId: voice.id, format: 'json' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const info = res.body as TtsSynthesisInfo;
    expect(info).toMatchObject({ voiceId: voice.id, engine: 'vits', sampleRate: 16000, phonemes: '', unknownPhonemes: [] });
    expect(info.parameters).toEqual({ rate: 1, noiseScale: null, lengthScale: null, noiseW: null, speakerId: null });
    expect(info.sentences.map((s) => s.text)).toEqual(['سلام دنیا.', 'خداحافظ!']);
    // Each sentence as the runtime speaks it on its own, then the pause between them.
    const lengths: number[] = [];
    for (const s of info.sentences) {
      const run = await request(t.app).post(`/api/models/${voice.modelId}/run`).set(bearer(token)).send({ pipeline: 'text-to-speech', inputs: s.text });
      expect(run.status).toBe(200);
      lengths.push(decodeWav(Buffer.from(run.body.wavBase64 as string, 'base64')).samples.length);
    }
    const pause = 0.2 * 16000;
    expect(info.sentences.map((s) => [s.startSeconds, s.endSeconds])).toEqual([
      [0, lengths[0]! / 16000],
      [(lengths[0]! + pause) / 16000, (lengths[0]! + pause + lengths[1]!) / 16000],
    ]);
    expect(info.sizeBytes).toBe(44 + (lengths[0]! + pause + lengths[1]!) * 2);
  });

  it('answers a WAV with sound, and keeps it in the history as a VITS clip', async () => {
    const voice = await vitsVoice();
    const res = await request(t.app).post('/api/tts').set(bearer(token)).send({ text: 'سلام، امروز ۲ خرداد است.', voiceId: voice.id, save: true }).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    const wav = readWav(res.body as Buffer);
    expect(wav.sampleRate).toBe(16000);
    expect(rms(wav.samples)).toBeGreaterThan(1000);
    const history = await request(t.app).get('/api/tts/history').set(bearer(token));
    const item = (history.body.items as TtsHistoryItem[]).find((i) => i.id === res.headers['x-tts-history-id'])!;
    expect(item).toMatchObject({ voiceId: voice.id, voiceName: 'mms-tts-fa-tiny', engine: 'vits', sampleRate: 16000 });
  });

  it('refuses the rate and the Piper scales, which a VITS model does not take', async () => {
    const voice = await vitsVoice();
    const res = await request(t.app).post('/api/tts').set(bearer(token)).send({ text: 'سلام', voiceId: voice.id, rate: 1.5, lengthScale: 2 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'rate' }), expect.objectContaining({ path: 'lengthScale' })] });
    const plain = await request(t.app).post('/api/tts').set(bearer(token)).send({ text: 'سلام', voiceId: voice.id, rate: 1, format: 'json' });
    expect(plain.status).toBe(200);
  });
});
