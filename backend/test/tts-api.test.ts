import fs from 'node:fs/promises';
import path from 'node:path';
import type { TtsHistoryItem, TtsHistoryPage, TtsSynthesisInfo, TtsVoice, TtsVoicesResponse } from '@sokhan/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';
import { readWav, rms } from './tts-helpers.js';
import { writeFixtureVoice } from './tts-onnx-fixture.js';

/** Binary answers: supertest buffers audio/wav into a Buffer with this parser. */
const binary = (res: any, done: (err: Error | null, body: any) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
  res.on('error', (e: Error) => done(e, Buffer.alloc(0)));
};

let t: TestApp;
let token: string;
let piperVoice: TtsVoice;
const REPO = 'rhasspy/piper-voices-test';

async function installModel(repoId: string, status: string, build: (folder: string) => Promise<unknown>): Promise<string> {
  const folder = path.join(t.config.paths.models, ...repoId.split('/'));
  await build(folder);
  const r = await t.pool.query<{ id: string }>(
    `INSERT INTO models (name, type, repo_id, revision, status, source, file_path, metadata)
     VALUES ($1, 'text-to-speech', $1, 'main', $2, 'hub', $3, $4::jsonb) RETURNING id`,
    [repoId, status, folder, JSON.stringify({ license: 'mit', pipelineTag: 'text-to-speech' })],
  );
  return r.rows[0]!.id;
}

beforeAll(async () => {
  t = await buildTestApp({ TTS_MAX_CHARS: '300' });
  token = (await registerUser(t.app)).token;
  // A Piper voice laid out as in rhasspy/piper-voices, installed and ready: it must show up by itself.
  await installModel(REPO, 'ready', (f) => writeFixtureVoice(path.join(f, 'fa', 'fa_IR', 'test', 'x_low'), 'fa_IR-test-x_low'));
  // Not voices: a ready model with an .onnx but no config, and a Piper voice still downloading.
  await installModel('someone/plain-onnx', 'ready', async (f) => {
    await fs.mkdir(f, { recursive: true });
    await fs.writeFile(path.join(f, 'model.onnx'), 'not really');
  });
  await installModel('someone/in-flight', 'downloading', (f) => writeFixtureVoice(f, 'fa_IR-partial-low'));
  // A Piper-shaped folder whose .onnx is not a model (what the old mirror fixture shipped): never offered.
  await installModel('someone/broken-voice', 'ready', async (f) => {
    const voice = await writeFixtureVoice(f, 'fa_IR-broken-medium');
    await fs.writeFile(voice.onnxPath, Buffer.alloc(4096, 7));
  });
  // Nor a user's trained model, whatever its folder holds: those are private to their owner.
  const trained = path.join(t.config.paths.models, 'trained', 'some-user-model');
  await writeFixtureVoice(trained, 'fa_IR-trained-low');
  await t.pool.query(
    `INSERT INTO models (name, type, status, source, file_path) VALUES ('trained', 'text-classification', 'ready', 'trained', $1)`,
    [trained],
  );
});
afterAll(() => t.close());

describe('a voice that fails while it runs', () => {
  it('answers SYNTHESIS_FAILED with the cause the UI can say, and no engine text', async () => {
    // Loads as a Piper voice, but its tone table has 4 rows while the voice's ids go past 40: Gather fails at run time.
    const id = await installModel('someone/runtime-broken', 'ready', (f) => writeFixtureVoice(f, 'fa_IR-tiny-low', { numSymbols: 4 }));
    const voices = (await request(t.app).get('/api/tts/voices').set(bearer(token))).body as TtsVoicesResponse;
    const voice = voices.voices.find((v) => v.modelId === id)!;
    expect(voice).toBeDefined();
    const res = await request(t.app).post('/api/tts').set(bearer(token)).send({ text: 'سلام دنیا', voiceId: voice.id, format: 'json' });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ code: 'SYNTHESIS_FAILED', details: [{ cause: 'voice-model' }] });
    expect(JSON.stringify(res.body)).not.toContain(t.config.paths.models);
    await t.pool.query('DELETE FROM models WHERE id = $1', [id]);
  });
});

describe('GET /api/tts/voices', () => {
  it('needs a token', async () => {
    const res = await request(t.app).get('/api/tts/voices');
    expect(res.status).toBe(401);
  });

  it('lists the built-in voice first, then installed Piper voices found on disk', async () => {
    const res = await request(t.app).get('/api/tts/voices').set(bearer(token));
    expect(res.status).toBe(200);
    const body = res.body as TtsVoicesResponse;
    expect(body.defaultVoiceId).toBe('espeak:fa');
    expect(body.maxTextLength).toBe(300);
    expect(body.voices[0]).toMatchObject({ id: 'espeak:fa', engine: 'espeak', language: 'fa', sampleRate: 22050, modelId: null, sourceRepo: null });
    expect(body.voices).toHaveLength(2);
    expect(body.voices.some((v) => v.sourceRepo === 'someone/broken-voice')).toBe(false);
    expect(body.unavailable).toEqual([
      { modelId: expect.any(String), repoId: 'someone/broken-voice', file: 'fa_IR-broken-medium.onnx', reason: expect.stringMatching(/^the ONNX file does not load: /) },
    ]);
    expect(body.unavailable[0]!.reason).not.toContain(t.config.paths.models);
    piperVoice = body.voices[1]!;
    expect(piperVoice).toMatchObject({
      engine: 'piper',
      name: 'sokhan-test',
      language: 'fa_IR',
      quality: 'x_low',
      sampleRate: 16000,
      sourceRepo: REPO,
      license: 'mit',
      speakers: 1,
      defaults: { noiseScale: 0.667, lengthScale: 1, noiseW: 0.8 },
    });
    expect(piperVoice.id).toBe(`piper:${piperVoice.modelId}:fa/fa_IR/test/x_low/fa_IR-test-x_low`);
  });

  it('picks up a voice installed later', async () => {
    const id = await installModel('someone/second-voice', 'ready', (f) => writeFixtureVoice(f, 'fa_IR-second-medium', { dataset: 'second', quality: 'medium', withSpeakerId: true }));
    const res = await request(t.app).get('/api/tts/voices').set(bearer(token));
    const second = (res.body as TtsVoicesResponse).voices.find((v) => v.modelId === id);
    expect(second).toMatchObject({ name: 'second', quality: 'medium', speakers: 2 });
    const spoken = await request(t.app).post('/api/tts').set(bearer(token)).send({ text: 'سلام', voiceId: second!.id, speakerId: 1, format: 'json' });
    expect(spoken.status).toBe(200);
    expect(spoken.body.parameters.speakerId).toBe(1);
  });
});

describe('POST /api/tts', () => {
  const text = 'سلام! امروز ۲۵ درجه است و هوا خیلی خوب است. فردا به کتابخانه می‌رویم.';

  it('speaks Persian with the built-in voice: a WAV with sound, of plausible length', async () => {
    const res = await request(t.app).post('/api/tts').set(bearer(token)).send({ text, voiceId: 'espeak:fa' }).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    const wav = readWav(res.body as Buffer);
    expect(wav.sampleRate).toBe(22050);
    expect(wav.seconds).toBeGreaterThan(text.length * 0.03);
    expect(wav.seconds).toBeLessThan(text.length * 0.2 + 1);
    expect(rms(wav.samples)).toBeGreaterThan(500);
    expect(Number(res.headers['x-tts-duration'])).toBeCloseTo(wav.seconds, 2);
    expect(res.headers['x-tts-sample-rate']).toBe('22050');
    expect(res.headers['x-tts-clip-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-tts-history-id']).toBeUndefined();
  });

  it('answers metadata with format json: prepared text, phonemes and sentence timing', async () => {
    const res = await request(t.app).post('/api/tts').set(bearer(token)).send({ text, voiceId: 'espeak:fa', format: 'json' });
    expect(res.status).toBe(200);
    const info = res.body as TtsSynthesisInfo;
    expect(info).toMatchObject({ voiceId: 'espeak:fa', engine: 'espeak', sampleRate: 22050, historyId: null, unknownPhonemes: [] });
    expect(info.text).not.toMatch(/[0-9۰-۹]/); // numbers are read out as words
    expect(info.sentences.length).toBeGreaterThanOrEqual(3);
    let prev = 0;
    for (const s of info.sentences) {
      expect(s.startSeconds).toBeCloseTo(prev, 3);
      expect(s.endSeconds).toBeGreaterThan(s.startSeconds);
      expect(s.phonemes.length).toBeGreaterThan(0);
      prev = s.endSeconds;
    }
    expect(prev).toBeCloseTo(info.durationSeconds, 3);
    expect(info.phonemes).toMatch(/salˈɑm/);
    expect(Math.abs(info.sizeBytes - 44 - info.durationSeconds * 22050 * 2)).toBeLessThan(50); // duration is rounded to ms
  });

  it('speaks faster with a higher rate', async () => {
    const slow = await request(t.app).post('/api/tts').set(bearer(token)).send({ text, voiceId: 'espeak:fa', format: 'json' });
    const fast = await request(t.app).post('/api/tts').set(bearer(token)).send({ text, voiceId: 'espeak:fa', format: 'json', rate: 2 });
    expect(fast.body.durationSeconds).toBeLessThan(slow.body.durationSeconds * 0.75);
    expect(fast.body.parameters).toMatchObject({ rate: 2, noiseScale: null });
  });

  it('runs an installed Piper voice end to end (phonemes → ids → onnxruntime → WAV)', async () => {
    const res = await request(t.app).post('/api/tts').set(bearer(token)).send({ text, voiceId: piperVoice.id }).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const wav = readWav(res.body as Buffer);
    expect(wav.sampleRate).toBe(16000);
    expect(rms(wav.samples)).toBeGreaterThan(2000);
    const info = (await request(t.app).post('/api/tts').set(bearer(token)).send({ text, voiceId: piperVoice.id, format: 'json', lengthScale: 2, noiseScale: 0.3 })).body as TtsSynthesisInfo;
    expect(info.engine).toBe('piper');
    expect(info.parameters).toEqual({ rate: 1, noiseScale: 0.3, lengthScale: 2, noiseW: 0.8, speakerId: null });
    expect(info.unknownPhonemes).toEqual([]);
    expect(info.sentences[0]!.phonemes).toMatch(/salˈɑm!/);
    // The test model repeats its output ceil(length_scale) times: twice as long, bar the fixed pauses between sentences.
    const pauses = (info.sentences.length - 1) * 0.2;
    expect(info.durationSeconds - pauses).toBeCloseTo((wav.seconds - pauses) * 2, 2);
  });

  it('refuses empty text, text past the limit, unknown voices and bad parameters', async () => {
    const post = (body: object) => request(t.app).post('/api/tts').set(bearer(token)).send(body);
    for (const empty of ['', '   ', '… ؟!']) {
      const r = await post({ text: empty, voiceId: 'espeak:fa' });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('EMPTY_TEXT');
    }
    const long = await post({ text: 'سلام '.repeat(61), voiceId: 'espeak:fa' });
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('TEXT_TOO_LONG');
    expect(long.body.error.details[0].maxLength).toBe(300);
    for (const voiceId of ['espeak:en', 'piper:00000000-0000-4000-8000-000000000000:x', `${piperVoice.id}-nope`]) {
      const r = await post({ text: 'سلام', voiceId });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('UNKNOWN_VOICE');
    }
    const bad = await post({ text: 'سلام', voiceId: 'espeak:fa', rate: 9 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const extra = await post({ text: 'سلام', voiceId: 'espeak:fa', path: '/etc/passwd' });
    expect(extra.status).toBe(400);
    const speaker = await post({ text: 'سلام', voiceId: piperVoice.id, speakerId: 1 }); // a one-speaker voice
    expect(speaker.status).toBe(400);
    expect(speaker.body.error.details[0].path).toBe('speakerId');
  });
});

describe('history', () => {
  it('saves, lists (newest first, paged), plays and deletes; other users see nothing', async () => {
    const me = bearer(token);
    // 1. synthesise, then keep exactly that clip
    const heard = await request(t.app).post('/api/tts').set(me).send({ text: 'این صدا را نگه دار.', voiceId: piperVoice.id }).buffer(true).parse(binary);
    const kept = await request(t.app).post('/api/tts/history').set(me).send({ clipId: heard.headers['x-tts-clip-id'] });
    expect(kept.status).toBe(201);
    const first = kept.body as TtsHistoryItem;
    expect(first).toMatchObject({ text: 'این صدا را نگه دار.', voiceId: piperVoice.id, voiceName: 'sokhan-test', engine: 'piper', sampleRate: 16000 });
    expect(first.sizeBytes).toBe((heard.body as Buffer).length);
    // 2. synthesise and save in one call
    const direct = await request(t.app).post('/api/tts/history').set(me).send({ text: 'دومی', voiceId: 'espeak:fa', rate: 1.5 });
    expect(direct.status).toBe(201);
    expect(direct.body.parameters.rate).toBe(1.5);
    // 3. save flag on synthesis
    const flagged = await request(t.app).post('/api/tts').set(me).send({ text: 'سومی', voiceId: 'espeak:fa', save: true, format: 'json' });
    expect(flagged.body.historyId).toMatch(/^[0-9a-f-]{36}$/);

    const list = await request(t.app).get('/api/tts/history?limit=2').set(me);
    expect(list.status).toBe(200);
    const page = list.body as TtsHistoryPage;
    expect(page.total).toBe(3);
    expect(page.items.map((i) => i.text)).toEqual(['سومی', 'دومی']);
    const rest = await request(t.app).get('/api/tts/history?limit=2&offset=2').set(me);
    expect(rest.body.items.map((i: TtsHistoryItem) => i.id)).toEqual([first.id]);

    const audio = await request(t.app).get(first.audioUrl).set(me).buffer(true).parse(binary);
    expect(audio.status).toBe(200);
    expect(audio.headers['content-type']).toBe('audio/wav');
    expect((audio.body as Buffer).equals(heard.body as Buffer)).toBe(true);
    const onDisk = path.join(t.config.paths.data, 'tts', (await request(t.app).get('/api/auth/me').set(me)).body.user.id, `${first.id}.wav`);
    await expect(fs.stat(onDisk)).resolves.toBeTruthy();

    // Another user: not in their list, and the clip answers exactly like a missing one.
    const other = bearer((await registerUser(t.app)).token);
    expect((await request(t.app).get('/api/tts/history').set(other)).body).toMatchObject({ items: [], total: 0 });
    const missing = await request(t.app).get('/api/tts/history/00000000-0000-4000-8000-000000000000/audio').set(other);
    const theirs = await request(t.app).get(first.audioUrl).set(other);
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe(missing.body.error.code);
    expect((await request(t.app).delete(`/api/tts/history/${first.id}`).set(other)).status).toBe(404);
    const stolenClip = await request(t.app).post('/api/tts/history').set(other).send({ clipId: heard.headers['x-tts-clip-id'] });
    expect(stolenClip.status).toBe(404);

    const del = await request(t.app).delete(`/api/tts/history/${first.id}`).set(me);
    expect(del.status).toBe(204);
    expect((await request(t.app).get(first.audioUrl).set(me)).status).toBe(404);
    await expect(fs.stat(onDisk)).rejects.toThrow();
    expect((await request(t.app).get('/api/tts/history').set(me)).body.total).toBe(2);
  });

  it('refuses a clip id that was never handed out, and bad paging', async () => {
    const me = bearer(token);
    const r = await request(t.app).post('/api/tts/history').set(me).send({ clipId: '00000000-0000-4000-8000-000000000000' });
    expect(r.status).toBe(404);
    expect((await request(t.app).get('/api/tts/history?limit=0').set(me)).status).toBe(400);
  });
});
