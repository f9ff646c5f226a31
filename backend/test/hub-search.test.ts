import type { HubSearchResponse } from '@sokhan/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureMirror, type MirrorFixture } from './hub-fixture.js';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';

// The mirror answers with the Hub's semantics: `search` matches the repo id, `filter` matches tags and languages.
let fx: MirrorFixture;
let t: TestApp;
let token: string;
// Persian by name and tag only, without the language tag: "Persian only" must still find them.
const NAMED = 'someone/farsi-g2p';
const TAGGED = 'someone/g2p-model';

beforeAll(async () => {
  fx = await startFixtureMirror({
    extraRepos: [
      { id: NAMED, meta: { pipeline_tag: 'text2text-generation', downloads: 5 }, files: { 'config.json': '{}\n' } },
      { id: TAGGED, meta: { pipeline_tag: 'text2text-generation', tags: ['persian'], downloads: 3 }, files: { 'config.json': '{}\n' } },
    ],
  });
  t = await buildTestApp(fx.env);
  token = (await registerUser(t.app)).token;
});
afterAll(async () => {
  await t.close();
  await fx.close();
});

const search = async (query: string): Promise<HubSearchResponse> => {
  const res = await request(t.app).get(`/api/sources/search?${query}`).set(bearer(token));
  expect(res.status).toBe(200);
  return res.body as HubSearchResponse;
};
// The public fixture models whose cards say `language: fa` (the private one is not listed to this user).
const PERSIAN_TAGGED = [
  'sokhan-lab/vits-fa-female',
  'sokhan-lab/piper-fa-amir-medium',
  'persian-nlp/bert-fa-sentiment',
  'parsi-speech/whisper-small-fa',
  'gated-org/fa-tts-gated',
  'sokhan-lab/tfjs-fa-keyword-spotter',
];

describe('search that understands Persian', () => {
  it('«فارسی» means the Persian language: every Persian model, also those named or tagged persian/farsi', async () => {
    const body = await search(`q=${encodeURIComponent('فارسی')}&limit=50`);
    expect(body.interpreted).toMatchObject({ search: '', language: 'fa', understood: [{ phrase: 'فارسی', as: 'language', value: 'fa' }] });
    const ids = body.items.map((i) => i.id);
    expect([...ids].sort()).toEqual([...PERSIAN_TAGGED, NAMED, TAGGED].sort());
    expect(ids).toContain(NAMED);
    expect(ids).toContain(TAGGED);
    expect(ids).not.toContain('acme-ai/tiny-gpt-en');
    // Ranked as asked (downloads), one list.
    const downloads = body.items.map((i) => i.downloads);
    expect(downloads).toEqual([...downloads].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
    // "persian" in Latin letters means the same.
    expect((await search('q=persian&limit=50')).items.map((i) => i.id).sort()).toEqual([...ids].sort());
  });

  it('«بازشناسی گفتار» is the speech-recognition task, and the language box alone keeps Persian', async () => {
    const body = await search(`q=${encodeURIComponent('بازشناسی گفتار')}&language=fa&limit=50`);
    expect(body.interpreted).toMatchObject({ task: 'automatic-speech-recognition', language: 'fa' });
    expect(body.items.length).toBeGreaterThan(0);
    for (const item of body.items) expect(item.pipelineTag).toBe('automatic-speech-recognition');
  });

  it('keeps Latin id words for the Hub and says which Persian words it could not use', async () => {
    const body = await search(`q=${encodeURIComponent('گربه whisper')}&limit=50`);
    expect(body.interpreted).toMatchObject({ search: 'whisper', ignored: ['گربه'], language: null });
    expect(body.items.map((i) => i.id)).toEqual(['parsi-speech/whisper-small-fa']);
  });

  it('without Persian asked for, the list is the Hub\'s own', async () => {
    const all = await search('limit=100');
    expect(all.interpreted).toMatchObject({ search: '', language: null, task: null });
    expect(all.items.map((i) => i.id)).toContain('acme-ai/tiny-gpt-en');
  });
});
